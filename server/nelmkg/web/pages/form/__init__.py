"""The assessment form (/assess/form): fields from the case shapes, input read back, results."""
