"""Kept only for migration scrutiny/0005, which imports `scrutiny.importing.fingerprints.from_legacy` by this path
(an applied migration is never edited). The importer is scrutiny/records/importing/."""
