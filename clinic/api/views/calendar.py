from django.urls import reverse
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response

from clinic.api.inputs import parse_input
from clinic.api.shapes import errors
from clinic.api.views.base import PatientApi
from clinic.appointments.calendar import calendar_feed_renew, calendar_feed_token


class CalendarApi(PatientApi):
    """The caller's private iCalendar feed (text/calendar, RFC 5545): one event per upcoming
    appointment, with a stable UID; cancelled and moved-away times drop out on the next fetch.
    The URL needs no credentials: keep it private, and renew it with POST if it leaked."""

    class OutputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "CalendarFeed"

        url = serializers.URLField(help_text="The absolute URL of the caller's feed.")

    def feed_url(self, request, token: str) -> dict:
        return {"url": request.build_absolute_uri(reverse("calendar-feed", args=[token]))}

    @extend_schema(
        operation_id="calendar_get",
        summary="The URL of the caller's private calendar feed",
        responses={200: OutputSerializer, **errors(401, 403)},
    )
    def get(self, request):
        parse_input(request, serializers.Serializer)
        return Response(self.feed_url(request, calendar_feed_token(patient=self.patient)))

    @extend_schema(
        operation_id="calendar_renew",
        summary="Issue a new feed URL; the old one answers 404 from then on",
        request=None,
        responses={201: OutputSerializer, **errors(401, 403)},
    )
    def post(self, request):
        parse_input(request, serializers.Serializer)
        token = calendar_feed_renew(patient=self.patient)
        return Response(self.feed_url(request, token), status=201)
