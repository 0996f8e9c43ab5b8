"""The front desk: find a patient, register a walk-in, book, move and cancel visits,
print the slip. Every change goes through the appointments' and patients' services."""

# Who may use the desk: find patients and see their appointments.
DESK_VIEW = ("patients.view_patient", "appointments.view_appointment")
