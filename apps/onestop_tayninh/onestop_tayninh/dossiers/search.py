"""The desk's search box: one box for a name, a code, a phone number or a CCCD, answered from an index.

The index (`DossierSearchTerm`, docs/architecture.md §8) holds for each dossier:

- every word of the applicant's folded names (`Dossier.search_name`: no diacritics, lower case), and every
  two adjacent words ("van an", "thi thu"), so a family name alone, a middle + given name or any word
  of the name is one equality lookup;
- the end of the code after the agency ("261206-0001"), so the date and number an official reads off
  a receipt find it;
- each number of the applicant (CCCD, phone, tax code, and numbers of the e-form such as its phone)
  written backwards behind "#", so the last digits are a prefix: "#4321" finds every number ending in 1234.

Terms are kept by `Dossier.save()` whenever the applicant data or the code change (`reindex`), rebuilt
by `manage.py rebuild_search_index`, and filled set-based by the benchmark generator. Every lookup,
the suggestions after an empty answer included, is a range of the (term, dossier) primary key.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext as _

from onestop_tayninh.core.text import fold

from .query import CODE_LIKE

if TYPE_CHECKING:
    from onestop_tayninh.accounts.models import User

    from .models import Dossier, DossierSearchTerm

#: (folded names, code, CCCD, phone, tax code, numbers of the e-form): what a dossier's terms are made of.
IndexSource = tuple[str, str, str, str, str, tuple[str, ...]]
WORD = re.compile(r"[a-z0-9]+")
TERM_LENGTH = 64
NUMBER_MARK = "#"
#: Longer input is no search an official types: refused with a message, nothing is looked up.
MAX_QUERY_LENGTH = 100
#: Fewer digits would match thousands of numbers by chance.
MIN_DIGITS = 4
MAX_DIGITS = 14
#: A search answers at most this many dossiers (newest first); past it the official narrows the search.
RESULT_CAP = 200
CODE_TAIL = re.compile(r"^(\d{6})-(\d{0,6})$")
DIGITS_ONLY = re.compile(r"^[\d .+-]+$")
# E-form answers that are numbers of the applicant (a phone, a CCCD): digits with the usual separators.
FORM_NUMBER = re.compile(r"^\+?[\d .-]{9,20}$")


# --- the terms of a dossier -------------------------------------------------------------------------------


def _reversed_number(value: str) -> str:
    digits = re.sub(r"\D", "", value or "")
    return f"{NUMBER_MARK}{digits[::-1]}"[:TERM_LENGTH] if len(digits) >= MIN_DIGITS else ""


def code_tail(code: str | None) -> str:
    """ "000.00.02.H53-261206-0001" → "261206-0001": the day and number, what is printed large on the receipt."""
    parts = (code or "").rsplit("-", 2)
    return "-".join(parts[1:]) if len(parts) == 3 else ""


def index_source(dossier: Dossier) -> IndexSource:
    """What the terms are made of: the folded names, the code and the applicant's numbers."""
    form_data = dossier.form_data if isinstance(dossier.form_data, dict) else {}
    form_numbers = [value for value in form_data.values() if isinstance(value, str) and FORM_NUMBER.match(value)]
    return (
        dossier.search_name or dossier.compute_search_name(),
        dossier.code or "",
        dossier.cccd,
        dossier.phone,
        dossier.tax_code,
        tuple(form_numbers),
    )


def source_terms(source: IndexSource) -> set[str]:
    """The index terms of an `index_source` (the migration and the benchmark generator write the same in SQL)."""
    search_name, code, cccd, phone, tax_code, form_numbers = source
    words = WORD.findall(search_name)
    terms = {word[:TERM_LENGTH] for word in words}
    terms.update(f"{first} {second}"[:TERM_LENGTH] for first, second in itertools.pairwise(words))
    tail = code_tail(code)
    if tail:
        terms.add(tail)
    terms.update(term for term in map(_reversed_number, [cccd, phone, tax_code, *form_numbers]) if term)
    return terms


def dossier_terms(dossier: Dossier) -> set[str]:
    """Everything the index holds for `dossier`."""
    return source_terms(index_source(dossier))


def reindex(dossier: Dossier, *, previous: IndexSource | None, adding: bool = False) -> None:
    """Write the dossier's terms after a save: only those that changed (none, or the code's tail on
    acceptance), known from what the dossier was read with (`previous`); read from the index when unknown."""
    from .models import DossierSearchTerm

    wanted = dossier_terms(dossier)
    if adding:
        held: set[str] = set()
    elif previous is None:
        held = set(DossierSearchTerm.objects.filter(dossier=dossier).values_list("term", flat=True))
    else:
        held = source_terms(previous)
    if held - wanted:
        DossierSearchTerm.objects.filter(dossier=dossier, term__in=sorted(held - wanted)).delete()
    if wanted - held:
        DossierSearchTerm.objects.bulk_create(
            [DossierSearchTerm(dossier=dossier, term=term) for term in sorted(wanted - held)], ignore_conflicts=True
        )
    dossier._search_source = index_source(dossier)


def rebuild_index(*, batch: int = 2000) -> int:
    """Rewrite the whole index from the dossiers (manage.py rebuild_search_index); returns the dossiers read."""
    from .models import Dossier, DossierSearchTerm

    done = 0
    last = 0
    fields = ["id", "search_name", "code", "cccd", "phone", "tax_code", "form_data"]
    while True:
        dossiers = list(Dossier.objects.filter(pk__gt=last).order_by("pk").only(*fields)[:batch])
        if not dossiers:
            return done
        rows = [DossierSearchTerm(dossier_id=d.pk, term=term) for d in dossiers for term in sorted(dossier_terms(d))]
        with transaction.atomic():
            DossierSearchTerm.objects.filter(dossier_id__gt=last, dossier_id__lte=dossiers[-1].pk).delete()
            DossierSearchTerm.objects.bulk_create(rows, batch_size=5000, ignore_conflicts=True)
        last = dossiers[-1].pk
        done += len(dossiers)


# --- reading the box --------------------------------------------------------------------------------------


class SearchRejected(ValueError):
    """The text is no search (too long, nothing to look for): the message says why, in Vietnamese."""


@dataclass(frozen=True)
class Suggestion:
    text: str
    reason: str


@dataclass
class SearchQuery:
    """What was typed, read as one of the shapes the box answers."""

    text: str
    kind: str  # "code", "code_tail", "number", "name"
    value: str
    words: list[str] = field(default_factory=list)

    def describe(self) -> str:
        """What was searched, in the words an official reads under an empty answer."""
        if self.kind == "code":
            return _("mã hồ sơ bắt đầu bằng “%(value)s”") % {"value": self.value}
        if self.kind == "code_tail":
            return _("mã hồ sơ có đuôi (ngày-số) “%(value)s”") % {"value": self.value}
        if self.kind == "number":
            return _("số CCCD, số điện thoại hoặc mã số thuế kết thúc bằng “%(value)s”") % {"value": self.value}
        return _("họ tên người nộp, tên tổ chức có các chữ “%(value)s” (không phân biệt dấu)") % {
            "value": " ".join(self.words)
        }


def parse(text: str) -> SearchQuery | None:
    """Read the box; None when it is empty. Raises SearchRejected for text that is no search."""
    text = (text or "").strip()
    if not text:
        return None
    if len(text) > MAX_QUERY_LENGTH:
        raise SearchRejected(
            _(
                "Nội dung tìm kiếm dài %(length)s ký tự, quá %(max)s ký tự nên chưa tìm. Hãy nhập mã hồ sơ, "
                "số CCCD, số điện thoại hoặc họ tên người nộp."
            )
            % {"length": len(text), "max": MAX_QUERY_LENGTH}
        )
    if CODE_LIKE.match(text):
        return SearchQuery(text=text, kind="code", value=text)
    compact = text.replace(" ", "")
    tail = CODE_TAIL.match(compact)
    if tail:
        return SearchQuery(text=text, kind="code_tail", value=compact)
    if DIGITS_ONLY.match(text) and any(ch.isdigit() for ch in text):
        digits = re.sub(r"\D", "", text)
        if len(digits) < MIN_DIGITS or len(digits) > MAX_DIGITS:
            raise SearchRejected(
                _(
                    "Hãy nhập từ %(min)s đến %(max)s chữ số (số CCCD, số điện thoại, mã số thuế, hoặc các số cuối "
                    "của chúng); “%(text)s” có %(count)s chữ số."
                )
                % {"min": MIN_DIGITS, "max": MAX_DIGITS, "text": text, "count": len(digits)}
            )
        return SearchQuery(text=text, kind="number", value=digits)
    words = WORD.findall(fold(text))
    if not words:
        raise SearchRejected(
            _(
                "“%(text)s” không có chữ hay số nào để tìm. Hãy nhập mã hồ sơ, số CCCD, số điện thoại "
                "hoặc họ tên người nộp (có dấu hoặc không dấu)."
            )
            % {"text": text}
        )
    return SearchQuery(text=text, kind="name", value=" ".join(words), words=words)


def _terms() -> QuerySet[DossierSearchTerm]:
    from .models import DossierSearchTerm

    return DossierSearchTerm.objects.all()


def _term_exists(term: str) -> bool:
    return bool(_terms().filter(term=term).exists())


def _name_lookup(words: list[str]) -> tuple[Q | None, Q]:
    """(the index lookup, the condition on the dossier row) for a name: the dossiers whose names hold `words`
    in that order, the last one possibly cut short ("le thi d").

    The index picks the rows by one word or two adjacent words, the given name's pair first since it is
    the rarest; the phrase on `search_name` keeps the order and the unfinished word.
    """
    phrase = " ".join(words)
    in_order = Q(search_name__istartswith=phrase) | Q(search_name__icontains=f" {phrase}")
    if len(words) == 1:
        if _term_exists(phrase):
            return Q(term=phrase), Q()
        # An unfinished single word: the given name starting with it (its own index on the dossier).
        return None, Q(search_given__istartswith=phrase)
    # Cheap probes first: a whole word the index does not know, or a last word no known word starts with,
    # finds nothing, whatever the rows (so a common family name is not walked to its end for nothing).
    if not all(_term_exists(word) for word in words[:-1]) or not _terms().filter(term__istartswith=words[-1]).exists():
        return None, Q(pk__in=[])
    whole = words if _term_exists(" ".join(words[-2:])) else words[:-1]  # the words known to be whole
    pairs = [f"{first} {second}" for first, second in itertools.pairwise(whole)]
    if len(pairs) == 1 and pairs[0] == phrase:
        return Q(term=phrase), Q()
    # The last pair drives (or the one whole word of "le d"); the other pairs and the unfinished last word
    # are probes in the same index, so the walk reads no dossier row: "nguyen van an" walks the "van an"
    # dossiers that also have "nguyen van". The phrase is checked on the few rows left.
    condition = Q(term=pairs[-1] if pairs else whole[0])
    for pair in pairs[:-1]:
        condition &= Q(Exists(_terms().filter(term=pair, dossier_id=OuterRef("dossier_id"))))
    if whole is not words:
        # The unfinished last word, with the one before it: among the few terms of each candidate.
        unfinished = f"{words[-2]} {words[-1]}"
        condition &= Q(Exists(_terms().filter(dossier_id=OuterRef("dossier_id"), term__istartswith=unfinished)))
    return condition, in_order


def lookup(query: SearchQuery) -> tuple[Q | None, Q]:
    """(the condition on the index's terms, the condition on the dossier rows) that answer `query`; no index
    condition for a whole code (the code's own unique index answers it)."""
    if query.kind == "code":
        # istartswith, not startswith: Django writes the latter as LIKE BINARY, which MariaDB will not
        # answer from an index (the term column is binary already).
        return None, Q(code__istartswith=query.value)
    if query.kind == "code_tail":
        return Q(term__istartswith=query.value), Q()
    if query.kind == "number":
        return Q(term__istartswith=_reversed_number(query.value)), Q()
    return _name_lookup(query.words)


# The row-level rule is checked on this many candidates at a time: MariaDB evaluates it per row on a short
# list of ids, where on a long one it builds a table of every dossier the official may see first.
CHUNK = 250
#: Up to this many visible agencies, the index is walked through the agencies' access rows.
WALK_AGENCIES = 10


def matching_ids(
    queryset: QuerySet[Dossier], query: SearchQuery, *, user: User | None = None, cap: int = RESULT_CAP
) -> list[int] | None:
    """The ids of the newest `cap` + 1 dossiers of `queryset` answering `query`, newest first; None when the
    query has no index lookup (a whole code: `queryset` is filtered directly).

    The index is walked newest first (its key order), limited to the agencies `user` may see when given
    (core.rowlevel's `visible_agency_id_list`, the helper for large tables), and each chunk is checked
    against `queryset` itself, so its filters and the row-level rule decide.
    """
    from onestop_tayninh.core.rowlevel import visible_agency_id_list

    from .models import DossierAccess

    terms, on_row = lookup(query)
    if terms is None:
        return None
    postings = _terms().filter(terms)
    walks = [postings]
    if user is not None:
        agencies = visible_agency_id_list(user)
        # An official of one agency (or a few) sees a small part of the index: the walk keeps to it. A
        # coordinator of the province sees nearly all of it, where the extra join only costs.
        if agencies is not None and len(agencies) <= WALK_AGENCIES:
            # Dossiers of the official's agencies, and those assigned to them wherever they are.
            at_agencies = DossierAccess.objects.filter(dossier_id=OuterRef("dossier_id"), agency_id__in=agencies)
            walks = [postings.filter(Exists(at_agencies)), postings.filter(dossier__assigned_to=user)]
    found: list[int] = []
    for walk in walks:
        last: int | None = None
        while len(found) <= cap:
            page = walk if last is None else walk.filter(dossier_id__lt=last)
            read = list(page.order_by("-dossier_id").values_list("dossier_id", flat=True)[:CHUNK])
            if not read:
                break
            last = read[-1]
            ids = list(dict.fromkeys(read))  # a dossier at two of the official's agencies comes twice
            kept = set(queryset.filter(on_row, pk__in=ids).values_list("pk", flat=True))
            found.extend(pk for pk in ids if pk in kept)
            if len(read) < CHUNK:
                break
    return sorted(set(found), reverse=True)[: cap + 1]


def apply(queryset: QuerySet[Dossier], query: SearchQuery, *, user: User | None = None) -> QuerySet[Dossier]:
    """`queryset` narrowed to the dossiers matching `query` (at most RESULT_CAP + 1, the newest)."""
    ids = matching_ids(queryset, query, user=user)
    if ids is None:
        return queryset.filter(lookup(query)[1])
    return queryset.filter(pk__in=ids)


def search(queryset: QuerySet[Dossier], text: str, *, user: User | None = None) -> QuerySet[Dossier]:
    """The box's answer, newest first (the index's own order); raises SearchRejected."""
    query = parse(text)
    if query is None:
        return queryset
    return apply(queryset, query, user=user).order_by("-pk")


def _finds(queryset: QuerySet[Dossier], query: SearchQuery, user: User | None) -> bool:
    terms, on_row = lookup(query)
    if terms is None:
        return queryset.filter(on_row).exists()
    return bool(matching_ids(queryset, query, user=user, cap=0))


def suggest(
    queryset: QuerySet[Dossier], query: SearchQuery, *, user: User | None = None, limit: int = 4
) -> list[Suggestion]:
    """Nearby searches that do find something in `queryset` (the user's visible dossiers), after an empty
    answer. Each candidate comes from the index (a range of its key) and is checked against `queryset`."""
    candidates: list[Suggestion] = []
    if query.kind == "name":
        words = query.words
        # Fewer words: the family name and the first names typed, as far as they still find someone.
        for size in range(len(words) - 1, 0, -1):
            candidates.append(
                Suggestion(" ".join(words[:size]), _("bỏ bớt chữ cuối: “%(w)s”") % {"w": " ".join(words[:size])})
            )
        # A word that the index does not know: the words it knows starting like it.
        for word in words:
            if _term_exists(word):
                continue
            start = word[: max(2, len(word) - 2)]
            near = (
                _terms()
                .filter(term__istartswith=start)
                .exclude(term__contains=" ")
                .values_list("term", flat=True)
                .distinct()
                .order_by("term")[:5]
            )
            for other in near:
                replaced = " ".join(other if w == word else w for w in words)
                candidates.append(Suggestion(replaced, _("“%(a)s” thay cho “%(b)s”") % {"a": other, "b": word}))
    elif query.kind == "code_tail":
        day, number = query.value.split("-")
        if number:
            below = (
                _terms()
                .filter(term__istartswith=f"{day}-", term__lt=query.value)
                .values_list("term", flat=True)
                .order_by("-term")
                .distinct()[:2]
            )
            above = (
                _terms()
                .filter(term__istartswith=f"{day}-", term__gt=query.value)
                .values_list("term", flat=True)
                .order_by("term")
                .distinct()[:2]
            )
            for term in [*above, *below]:
                candidates.append(Suggestion(term, _("số gần nhất cùng ngày: %(t)s") % {"t": term}))
        candidates.append(Suggestion(f"{day}-", _("mọi hồ sơ tiếp nhận ngày %(d)s") % {"d": day}))
    elif query.kind == "number":
        digits = query.value
        for size in (6, MIN_DIGITS):
            if len(digits) > size:
                candidates.append(
                    Suggestion(digits[-size:], _("chỉ %(n)s số cuối: %(d)s") % {"n": size, "d": digits[-size:]})
                )
    elif query.kind == "code":
        parts = query.value.rsplit("-", 2)
        if len(parts) == 3:
            candidates.append(
                Suggestion("-".join(parts[1:]), _("bỏ phần mã cơ quan: %(t)s") % {"t": "-".join(parts[1:])})
            )
    found: list[Suggestion] = []
    seen = {query.value}
    for candidate in candidates:
        if candidate.text in seen:
            continue
        seen.add(candidate.text)
        try:
            parsed = parse(candidate.text)
        except SearchRejected:
            continue
        if parsed is not None and _finds(queryset, parsed, user):
            found.append(candidate)
        if len(found) >= limit:
            break
    return found


# --- the index filled set-based: the migration that creates it and the benchmark generator -----------------

# The same terms as dossier_terms(), for every dossier with `id` in [lo, hi), in a few INSERT … SELECT
# (MariaDB: REGEXP_REPLACE, JSON_TABLE and the Sequence engine's seq_1_to_N tables).
_FILL_SQL = [
    # Words, then pairs of adjacent words, of the folded names.
    """INSERT IGNORE INTO dossiers_dossiersearchterm (term, dossier_id)
    SELECT LEFT(SUBSTRING_INDEX(SUBSTRING_INDEX(x.t, ' ', s.seq), ' ', -1), 64), x.id
    FROM (SELECT id, TRIM(REGEXP_REPLACE(search_name, '[^a-z0-9]+', ' ')) AS t FROM dossiers_dossier
          WHERE id >= %(lo)s AND id < %(hi)s) x
    JOIN seq_1_to_100 s ON s.seq <= CHAR_LENGTH(x.t) - CHAR_LENGTH(REPLACE(x.t, ' ', '')) + 1
    WHERE x.t <> ''""",
    """INSERT IGNORE INTO dossiers_dossiersearchterm (term, dossier_id)
    SELECT LEFT(SUBSTRING_INDEX(SUBSTRING_INDEX(x.t, ' ', s.seq + 1), ' ', -2), 64), x.id
    FROM (SELECT id, TRIM(REGEXP_REPLACE(search_name, '[^a-z0-9]+', ' ')) AS t FROM dossiers_dossier
          WHERE id >= %(lo)s AND id < %(hi)s) x
    JOIN seq_1_to_100 s ON s.seq <= CHAR_LENGTH(x.t) - CHAR_LENGTH(REPLACE(x.t, ' ', ''))
    WHERE x.t <> ''""",
    # The end of the code: day and number.
    """INSERT IGNORE INTO dossiers_dossiersearchterm (term, dossier_id)
    SELECT SUBSTRING_INDEX(code, '-', -2), id FROM dossiers_dossier
    WHERE id >= %(lo)s AND id < %(hi)s AND code LIKE '%%-%%-%%'""",
    # The applicant's numbers, backwards.
    """INSERT IGNORE INTO dossiers_dossiersearchterm (term, dossier_id)
    SELECT LEFT(CONCAT('#', REVERSE(n.digits)), 64), n.id
    FROM (SELECT id, REGEXP_REPLACE(cccd, '[^0-9]', '') AS digits FROM dossiers_dossier
          WHERE id >= %(lo)s AND id < %(hi)s
          UNION ALL SELECT id, REGEXP_REPLACE(phone, '[^0-9]', '') FROM dossiers_dossier
          WHERE id >= %(lo)s AND id < %(hi)s
          UNION ALL SELECT id, REGEXP_REPLACE(tax_code, '[^0-9]', '') FROM dossiers_dossier
          WHERE id >= %(lo)s AND id < %(hi)s
          UNION ALL SELECT d.id, REGEXP_REPLACE(j.v, '[^0-9]', '') FROM dossiers_dossier d,
                 JSON_TABLE(d.form_data, '$.*' COLUMNS (v VARCHAR(100) PATH '$')) j
          WHERE d.id >= %(lo)s AND d.id < %(hi)s AND JSON_TYPE(d.form_data) = 'OBJECT'
                AND j.v REGEXP '^[+]?[0-9 .-]{9,20}$') n
    WHERE CHAR_LENGTH(n.digits) >= 4""",
]


def fill_index_sql(cursor: Any, *, chunk: int = 100_000, progress: Callable[[int], object] | None = None) -> None:
    """Index every dossier set-based, `chunk` ids at a time (safe to run again: INSERT IGNORE)."""
    cursor.execute("SELECT COALESCE(MIN(id), 0), COALESCE(MAX(id), 0) FROM dossiers_dossier")
    first, last = cursor.fetchone()
    for lo in range(first, last + 1, chunk):
        for statement in _FILL_SQL:
            cursor.execute(statement, {"lo": lo, "hi": lo + chunk})
        if progress:
            progress(min(lo + chunk, last + 1) - first)
