"""Pure domain model of the centre: tickets, ordering, numbering, appointments, dossiers."""
