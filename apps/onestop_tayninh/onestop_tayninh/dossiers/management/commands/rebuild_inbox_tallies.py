"""Rebuild the inbox's maintained counts from the dossiers (dossiers/tallies.py).

The tallies follow every save of a dossier; this command is for a database restored from elsewhere or data
written around `Dossier.save()` (SQL by hand, an import in bulk). Set-based, in one transaction: a few
seconds at a million dossiers. Run it while the desk is quiet: a dossier written during the rebuild may
wait for it, or fail and be retried by the official.
"""

from django.core.management.base import BaseCommand

from onestop_tayninh.dossiers.tallies import rebuild


class Command(BaseCommand):
    help = "Dựng lại số đếm hộp việc của cán bộ (chờ tiếp nhận, chờ phân công, chờ xử lý, …) từ hồ sơ."

    def handle(self, *args, **options):
        rows = rebuild()
        self.stdout.write(f"Đã dựng lại số đếm hộp việc: {rows:,} dòng.".replace(",", "."))
