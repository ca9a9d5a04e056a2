"""A peer's client secret sealed at rest (security.sealing), as the webhook subscribers' secrets are."""

from django.db import migrations, models


def seal_existing(apps, schema_editor):
    from onestop_tayninh.security.sealing import PREFIX, seal

    PeerInstallation = apps.get_model("interconnect", "PeerInstallation")
    for peer in PeerInstallation.objects.all():
        if peer.client_secret_sealed and not peer.client_secret_sealed.startswith(PREFIX):
            peer.client_secret_sealed = seal(peer.client_secret_sealed)
            peer.save(update_fields=["client_secret_sealed"])


class Migration(migrations.Migration):
    dependencies = [
        ("interconnect", "0002_grant_roles"),
    ]

    operations = [
        migrations.RenameField(model_name="peerinstallation", old_name="client_secret", new_name="client_secret_sealed"),
        migrations.AlterField(
            model_name="peerinstallation",
            name="client_secret_sealed",
            field=models.TextField(
                editable=False,
                help_text="Khóa bí mật đi kèm mã ứng dụng, do bên kia cấp; lưu ở dạng mã hóa, không hiện lại.",
                verbose_name="khóa bí mật (đã mã hóa)",
            ),
        ),
        migrations.RunPython(seal_existing, migrations.RunPython.noop),
    ]
