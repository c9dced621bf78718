"""The registry's pages, one module per concern: staff's pages on persons (`persons`), the
category rules (`categories`), the spreadsheet import (`imports`), the person's own record
(`own_record`) and registering oneself (`self_registration`)."""
