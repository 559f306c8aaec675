from consortium import registry
from consortium.api import ModelCleanSerializer, PortalModelSerializer, PortalViewSet

from .filters import OrganizationFilterSet
from .models import MembershipEvent, Organization


class MembershipEventSerializer(PortalModelSerializer):
    class Meta:
        model = MembershipEvent
        fields = ["action", "from_status", "to_status", "date", "reason", "created_at"]


class OrganizationSerializer(ModelCleanSerializer):
    membership_events = MembershipEventSerializer(many=True, read_only=True)

    class Meta:
        model = Organization
        fields = [
            "id",
            "name",
            "short_name",
            "credit_code",
            "kind",
            "industry_chain",
            "council_role",
            "is_specialized_sme",
            "is_integration_enterprise",
            "status",
            "status_changed_on",
            "address",
            "website",
            "contact_name",
            "contact_title",
            "contact_phone",
            "contact_email",
            "description",
            "membership_events",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["status", "status_changed_on", "created_at", "updated_at"]

    def validate_credit_code(self, value):
        return value.strip().upper()


class OrganizationViewSet(PortalViewSet):
    queryset = Organization.objects.all()
    serializer_class = OrganizationSerializer
    filterset_class = OrganizationFilterSet
    prefetch_related = ("membership_events",)
    ordering_fields = ["name", "kind", "status", "created_at"]

    def perform_create(self, serializer):
        from .services import record_application

        org = self._save_checked(serializer)
        record_application(org, by=self.request.user)


@registry.api_routes.register
def register(router):
    router.register("organizations", OrganizationViewSet, basename="organization")
