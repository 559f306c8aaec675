"""The API token endpoint, throttled by django-axes like the web login.

DRF's obtain_auth_token authenticates with DRF's Request, on which axes cannot flag a
lockout; here authenticate() gets the underlying HttpRequest, and a locked-out account
gets a 429 with a Chinese message.
"""

from django.contrib.auth import authenticate
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.authtoken.models import Token
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.response import Response


class CredentialsSerializer(serializers.Serializer):
    username = serializers.CharField()
    password = serializers.CharField(trim_whitespace=False, write_only=True)


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField(read_only=True, help_text="Send as `Authorization: Token <token>`.")


class ObtainTokenView(ObtainAuthToken):
    serializer_class = CredentialsSerializer
    # Open to anyone with the right password; a stale token header must not get in the way.
    permission_classes = ()
    authentication_classes = ()

    @extend_schema(
        request=CredentialsSerializer,
        responses={
            200: TokenSerializer,
            429: OpenApiResponse(description="Too many failed attempts: the account is locked for a while."),
        },
        auth=[],
    )
    def post(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        http_request = request._request
        user = authenticate(request=http_request, **serializer.validated_data)
        if getattr(http_request, "axes_locked_out", False):
            # Answer in JSON here; otherwise AxesMiddleware would swap in the HTML lockout page.
            http_request.axes_locked_out = False
            return Response(
                {"detail": _("登录失败次数过多，该账号已被暂时锁定，请稍后再试或联系联合体秘书处。")},
                status=status.HTTP_429_TOO_MANY_REQUESTS,
            )
        if user is None or not user.is_active:
            return Response({"non_field_errors": [_("用户名或密码不正确。")]}, status=status.HTTP_400_BAD_REQUEST)
        token, _created = Token.objects.get_or_create(user=user)
        return Response({"token": token.key})
