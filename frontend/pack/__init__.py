"""The PCC's quarterly pack for a force area (docs/pack.md): `build_pack` gathers it, `pack_pdf` prints it, the
views in frontend/views/pack.py show it, and frontend/pack/access.py says who may read it."""

from frontend.pack.access import pack_areas_for_user, require_pack_area, require_pack_role
from frontend.pack.assemble import Pack, PackChart, build_pack, cell_text, table_rows
from frontend.pack.pdf import IMAGE_SIZE, pack_pdf
from frontend.pack.quarter import Quarter, QuarterError, parse_quarter

__all__ = [
    "IMAGE_SIZE",
    "Pack",
    "PackChart",
    "Quarter",
    "QuarterError",
    "build_pack",
    "cell_text",
    "pack_areas_for_user",
    "pack_pdf",
    "parse_quarter",
    "require_pack_area",
    "require_pack_role",
    "table_rows",
]
