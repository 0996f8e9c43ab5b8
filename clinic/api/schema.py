from drf_spectacular.openapi import AutoSchema


class BodyOnDeleteSchema(AutoSchema):
    """Documents a JSON body on DELETE, as the seed's cancel request has one."""

    def _get_request_body(self, direction="request"):
        if self.method != "DELETE":
            return super()._get_request_body(direction)
        self.method = "POST"
        try:
            return super()._get_request_body(direction)
        finally:
            self.method = "DELETE"
