"""Names of the schema migrations, importable without sqlite-utils, so that opening a database that is
up to date costs no import of the migration machinery."""

from __future__ import annotations

MIGRATION_SET = "tosmon"
#: Every migration in monitor/store/migrations.py, in order. A test keeps the two in step.
MIGRATION_NAMES = ("m001_initial", "m002_search", "m003_snapshot_text_hash",
                   "m004_delivery_retry_from", "m005_lean_version_index", "m006_zstd_dictionaries",
                   "m007_cli_install_meta",
                   "m008_channels_reminders",
                   "m009_check_leases",
                   "m010_living_flags",
                   "m011_ota_sources",
                   "m012_hostile_guards_final_url",
                   "m013_version_links",
                   "m014_baseline_index_queue")
