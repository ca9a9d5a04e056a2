"""The Vietnamese working-day calendar: rest days, office hours and processing deadlines."""
