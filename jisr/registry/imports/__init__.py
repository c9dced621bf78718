"""Persons coming in from files: a spreadsheet with its columns matched (`columns`,
`spreadsheet`), and the XLSForm for ODK/Kobo with the submissions it brings back (`xlsform`)."""
