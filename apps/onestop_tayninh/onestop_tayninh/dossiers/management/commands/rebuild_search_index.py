"""Rebuild the desk's search index from the dossiers (dossiers/search.py).

The index follows every save of a dossier; this command is for a database restored from elsewhere, data
written around the services, or a change of what the index holds. `--sql` fills it set-based, as the
migration that created it did (fast at a million dossiers); by default each dossier's terms are written
from Python, exactly as a save writes them.
"""

from django.core.management.base import BaseCommand
from django.db import connection

from onestop_tayninh.dossiers.search import fill_index_sql, rebuild_index


class Command(BaseCommand):
    help = "Dựng lại chỉ mục tìm kiếm hồ sơ của bàn làm việc (tên, đuôi mã, số điện thoại, CCCD)."

    def add_arguments(self, parser):
        parser.add_argument("--sql", action="store_true", help="Dựng bằng SQL theo tập (nhanh với hàng triệu hồ sơ).")

    def handle(self, *args, sql: bool = False, **options):
        if sql:
            with connection.cursor() as cursor:
                cursor.execute("DELETE FROM dossiers_dossiersearchterm")
                fill_index_sql(cursor)
            self.stdout.write("Đã dựng lại chỉ mục tìm kiếm hồ sơ (SQL).")
            return
        count = rebuild_index()
        self.stdout.write(f"Đã dựng lại chỉ mục tìm kiếm cho {count:,} hồ sơ.".replace(",", "."))
