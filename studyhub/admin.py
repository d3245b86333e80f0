"""django-otp's device admin, narrowed: staff see who has two-step verification and remove a
lost device (its backup codes go with it), but never add one or see a secret."""

from __future__ import annotations

from django.contrib import admin
from django_otp.plugins.otp_static.admin import StaticDeviceAdmin
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.admin import TOTPDeviceAdmin
from django_otp.plugins.otp_totp.models import TOTPDevice


class _RemoveOnly:
    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


class AppDeviceAdmin(_RemoveOnly, TOTPDeviceAdmin):
    def delete_model(self, request, obj: TOTPDevice) -> None:
        StaticDevice.objects.filter(user_id=obj.user_id).delete()
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset) -> None:
        StaticDevice.objects.filter(user__in=queryset.values("user")).delete()
        super().delete_queryset(request, queryset)


class BackupCodesAdmin(_RemoveOnly, StaticDeviceAdmin):
    pass


admin.site.unregister(TOTPDevice)
admin.site.register(TOTPDevice, AppDeviceAdmin)
admin.site.unregister(StaticDevice)
admin.site.register(StaticDevice, BackupCodesAdmin)
