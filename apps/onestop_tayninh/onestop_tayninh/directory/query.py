from onestop_tayninh.core.rowlevel import AgencyScopedQuerySet


class AgencyQuerySet(AgencyScopedQuerySet):
    agency_lookup = ""

    def active(self):
        return self.filter(is_active=True)


class ReceptionDeskQuerySet(AgencyScopedQuerySet):
    agency_lookup = "agency"

    def active(self):
        return self.filter(is_active=True)


class OfficialQuerySet(AgencyScopedQuerySet):
    agency_lookup = "agency"
