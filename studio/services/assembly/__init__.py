"""The assembly journey: each shot's canonical clip fitted to its narration and joined, with transitions, into the
title's finished video.

Modules here import one another by module path; everything outside imports this surface.
"""

from studio.services.assembly.assemble import (
    AssemblyOptions,
    AssemblyReport,
    PreparedAssembly,
    Timeline,
    assemble_title,
    prepare,
    save_edits,
    timeline,
)

__all__ = ["AssemblyOptions", "AssemblyReport", "PreparedAssembly", "Timeline", "assemble_title", "prepare",
           "save_edits", "timeline"]
