"""The manager's pages: reports, staff accounts, doctors' sessions and time off,
visit types and sites. Thin views over the domain services and selectors."""
