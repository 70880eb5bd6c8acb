"""Evidence for guideline authors: profiles per recommendation, the audit pages, flags, exports."""
