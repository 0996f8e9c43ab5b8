from django.utils import timezone
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.response import Response

from clinic.api.fields import IdListField, SeedDateField
from clinic.api.idempotency import OPENAPI_PARAMETER as IDEMPOTENCY_KEY
from clinic.api.idempotency import idempotent
from clinic.api.inputs import parse_input
from clinic.api.pagination import PAGE_PARAMETERS, Page, PageInputSerializer
from clinic.api.schema import BodyOnDeleteSchema
from clinic.api.shapes import DoctorRefSerializer, MessageSerializer, errors
from clinic.api.views.base import PatientApi
from clinic.api.views.booking import BookingApi
from clinic.doctors.selectors import doctor_get
from clinic.waitlist.models import EntryStatus
from clinic.waitlist.selectors import waitlist_entries_for
from clinic.waitlist.services import waitlist_claim, waitlist_join, waitlist_leave


class OfferSerializer(serializers.Serializer):
    class Meta:
        ref_name = "WaitlistOffer"

    date = SeedDateField(source="offer_date")
    slot = serializers.SerializerMethodField()
    expires_at = serializers.SerializerMethodField(
        help_text="When the hold lapses (ISO 8601 with the clinic's offset)."
    )

    def get_slot(self, entry) -> str:
        return entry.offer_slot_label

    def get_expires_at(self, entry) -> str:
        return timezone.localtime(entry.offer_expires_at).isoformat()


class WaitlistEntrySerializer(serializers.Serializer):
    class Meta:
        ref_name = "WaitlistEntry"

    waitlist_id = serializers.IntegerField(source="pk")
    doctor = DoctorRefSerializer()
    status = serializers.SerializerMethodField(
        help_text="waiting, offered, booked, expired or cancelled."
    )

    def get_status(self, entry) -> str:
        # A lapsed hold is expired from its expiry on, even before the release task ran.
        if entry.status == EntryStatus.OFFERED and not entry.has_live_offer:
            return EntryStatus.EXPIRED
        return entry.status

    def get_fields(self):
        fields = super().get_fields()
        # `from` is a Python keyword: these keys cannot be class attributes.
        fields["from"] = SeedDateField(source="first_day")
        fields["to"] = SeedDateField(source="last_day")
        fields["offer"] = serializers.SerializerMethodField(
            help_text="The live offer (a slot held for the caller), or null."
        )
        return fields

    @extend_schema_field(OfferSerializer(allow_null=True))
    def get_offer(self, entry):
        return OfferSerializer(entry).data if entry.has_live_offer else None

    def to_representation(self, entry):
        data = super().to_representation(entry)
        # The contract's key order: waitlist_id, doctor, from, to, status, offer.
        order = ("waitlist_id", "doctor", "from", "to", "status", "offer")
        return {key: data[key] for key in order}


class WaitlistApi(PatientApi):
    """The caller's waiting list: list, join for a doctor and dates, leave.

    When one of the doctor's slots on those dates frees up, the first in line
    who is free then is offered it by email and SMS, and it is held for them for
    WAITLIST_HOLD_MINUTES; they claim it with POST waitlist/claim/. Leaving is
    all or nothing, as cancelling bookings is; leaving with a live offer passes
    the held slot on to the next in line."""

    schema = BodyOnDeleteSchema()

    class InputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "WaitlistJoinInput"

        doc_id = serializers.IntegerField(min_value=1, max_value=2**63 - 1)

        def get_fields(self):
            fields = super().get_fields()
            fields["from"] = SeedDateField(help_text="The first date the caller can come.")
            fields["to"] = SeedDateField(
                required=False, help_text="The last date the caller can come (default: from)."
            )
            return fields

    class LeaveInputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "WaitlistLeaveInput"

        def get_fields(self):
            return {"waitlist-ids": IdListField(help_text="Ids of the caller's live entries.")}

    class JoinedSerializer(serializers.Serializer):
        class Meta:
            ref_name = "WaitlistJoined"

        MSG = serializers.CharField()
        data = WaitlistEntrySerializer()

    @extend_schema(
        operation_id="waitlist_list",
        summary="The caller's waitlist entries, newest first",
        parameters=PAGE_PARAMETERS,
        responses={200: WaitlistEntrySerializer(many=True), **errors(401, 403)},
    )
    def get(self, request):
        params = parse_input(request, PageInputSerializer)
        page = Page(waitlist_entries_for(patient=self.patient), params)
        data = WaitlistEntrySerializer(list(page.queryset), many=True).data
        return Response(data, headers=page.headers(data))

    @extend_schema(
        operation_id="waitlist_join",
        summary="Wait for a free slot of a doctor between two dates",
        request=InputSerializer,
        responses={201: JoinedSerializer, **errors(401, 403, 404, 409)},
    )
    def post(self, request):
        data = parse_input(request, self.InputSerializer)
        doctor = doctor_get(doctor_id=data["doc_id"])
        entry = waitlist_join(
            patient=self.patient,
            doctor=doctor,
            first_day=data["from"],
            last_day=data.get("to"),
            actor=request.user,
        )
        entry.doctor = doctor
        output = self.JoinedSerializer({"MSG": " Added To Waitlist", "data": entry})
        return Response(output.data, status=201)

    @extend_schema(
        operation_id="waitlist_leave",
        summary="Leave some of the caller's waitlist entries: all of them or none",
        request=LeaveInputSerializer,
        responses={200: MessageSerializer, **errors(401, 403, 404, 409)},
    )
    def delete(self, request):
        data = parse_input(request, self.LeaveInputSerializer)
        waitlist_leave(patient=self.patient, ids=data["waitlist-ids"], actor=request.user)
        return Response({"MSG": " Removed From Waitlist"})


class WaitlistClaimApi(PatientApi):
    """Book the slot a live waitlist offer holds for the caller (409 if none is live)."""

    class InputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "WaitlistClaimInput"

        waitlist_id = serializers.IntegerField(min_value=1, max_value=2**63 - 1)

    @extend_schema(
        operation_id="waitlist_claim",
        summary="Claim the slot a waitlist offer holds: a booking as POST booking/ makes",
        request=InputSerializer,
        responses={201: BookingApi.BookedSerializer, **errors(401, 403, 404, 409)},
        parameters=[IDEMPOTENCY_KEY],
    )
    @idempotent
    def post(self, request):
        data = parse_input(request, self.InputSerializer)
        appointment = waitlist_claim(
            patient=self.patient, entry_id=data["waitlist_id"], actor=request.user
        )
        output = BookingApi.BookedSerializer({"MSG": " Slot Booked!", "data": appointment})
        return Response(output.data, status=201)
