"""House rules kept true mechanically: dependency direction and lazy heavy imports."""

import ast
import graphlib
import importlib
import inspect
import subprocess
import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "studio"

# Layer of each part of the package; a module may import only its own layer or lower ones.
LAYERS = {
    "errors": 0, "domain": 1, "config": 1, "files": 1, "settings": 1,
    "workspace": 2, "media": 2, "backends": 2, "store": 2, "presets": 2,
    "services": 3,
    "cli": 4, "cli_progress": 4, "cli_compare": 4, "cli_serve": 4, "ui": 4, "bench": 4, "testing": 4, "__main__": 4,
}
HEAVY = {"torch", "diffusers", "transformers", "peft", "gradio", "ray"}
# gradio may load at the top of studio.ui modules: nothing imports studio.ui but `serve`.
OWNER = {"gradio": "ui"}


def part_of(module: str) -> str:
    return module.split(".")[1] if module.count(".") else "__init__"


def imports(path: Path) -> list[tuple[str, bool]]:
    """(imported module, at module top level?) for every import in a file, lazy and TYPE_CHECKING ones too.

    `from package import name` also counts as importing package.name when that is a module.
    """
    tree = ast.parse(path.read_text())
    top_level = {id(node) for node in tree.body}
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(alias.name, id(node) in top_level) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.module, id(node) in top_level))
            found += [(f"{node.module}.{alias.name}", id(node) in top_level) for alias in node.names
                      if f"{node.module}.{alias.name}" in MODULE_NAMES]
    return found


def modules():
    for path in sorted(PACKAGE.rglob("*.py")):
        name = ".".join(("studio", *path.relative_to(PACKAGE).with_suffix("").parts))
        yield name.removesuffix(".__init__"), path


MODULE_NAMES = {name for name, _ in modules()}


def test_no_import_cycles_even_inside_a_layer():
    """A module graph without circles: every import counts, lazy and TYPE_CHECKING ones included."""
    graph = {name: {imported for imported, _ in imports(path) if imported in MODULE_NAMES and imported != name}
             for name, path in modules()}
    try:
        order = list(graphlib.TopologicalSorter(graph).static_order())
    except graphlib.CycleError as error:
        raise AssertionError(f"import cycle: {' -> '.join(error.args[1])}") from None
    assert set(order) == MODULE_NAMES


def test_the_runtime_never_imports_the_tiny_test_models():
    """studio.testing (the tiny random-weight models) is for the tests and the benchmarks only."""
    offenders = [f"{name} imports {imported}" for name, path in modules() if part_of(name) not in ("testing", "bench")
                 for imported, _ in imports(path) if imported.startswith("studio.testing")]
    assert offenders == []


def test_the_package_never_imports_the_tests():
    offenders = [f"{name} imports {imported}" for name, path in modules() for imported, _ in imports(path)
                 if imported.split(".")[0] == "tests"]
    assert offenders == []


def test_dependencies_point_one_way():
    wrong = []
    for name, path in modules():
        part = part_of(name)
        if part == "__init__":
            continue
        for imported, _ in imports(path):
            if imported.startswith("studio.") and part_of(imported) != part:
                if LAYERS[part_of(imported)] > LAYERS[part]:
                    wrong.append(f"{name} imports {imported}")
    assert wrong == []


# Modules that are the torch backend itself (nn.Module subclasses need torch at
# class definition); the rule below makes sure nothing imports them eagerly.
TORCH_MODULES = {"studio.backends.rife"}


def test_heavy_libraries_are_never_imported_at_module_level():
    eager = [
        f"{name} imports {imported}"
        for name, path in modules()
        for imported, top in imports(path)
        if top and imported.split(".")[0] in HEAVY and OWNER.get(imported.split(".")[0]) != part_of(name)
        and name not in TORCH_MODULES
    ]
    assert eager == []


def test_torch_backends_are_only_imported_on_demand():
    eager = [
        f"{name} imports {imported}"
        for name, path in modules()
        for imported, top in imports(path)
        if top and imported in TORCH_MODULES
    ]
    assert eager == []


def test_cli_and_services_start_without_torch_or_opencv_work():
    code = (
        "import sys, studio.cli, studio.services, studio.workspace;"
        "print(sorted(m for m in ('torch', 'diffusers', 'gradio', 'av', 'ray') if m in sys.modules))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"


def test_only_media_runs_ffmpeg():
    runners = [
        name for name, path in modules()
        if part_of(name) not in ("media", "bench") and "subprocess" in {i.split(".")[0] for i, _ in imports(path)}
    ]
    assert runners == []


def test_the_app_starts_without_torch():
    code = "import sys, studio.ui, studio.cli; print(sorted(m for m in ('torch', 'diffusers', 'transformers') if m in sys.modules))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"


def test_only_the_cluster_module_imports_ray():
    importers = sorted({name for name, path in modules() for imported, _ in imports(path) if imported.split(".")[0] == "ray"})
    assert importers == ["studio.services.render.cluster"]


# What the services keep behind them: the UI asks the desk, never these.
SERVICE_INTERNALS = {"store", "workspace", "studio", "renderer"}


def test_the_ui_talks_only_to_service_methods():
    """No `desk.store.`, `desk.workspace.` or `desk.studio.` reach-throughs from a page: the desk's methods are the
    UI's whole surface, so a page cannot skip the checks (roles, fresh reads) that live behind them."""
    reach_throughs = [
        f"{name}:{node.lineno} reads .{node.attr}"
        for name, path in modules() if part_of(name) == "ui"
        for node in ast.walk(ast.parse(path.read_text()))
        if isinstance(node, ast.Attribute) and node.attr in SERVICE_INTERNALS
    ]
    assert reach_throughs == []


# Inside services: the shared pieces, then the three journeys, then the facades that compose them.
SERVICE_LAYERS = {"access": 0, "progress": 0, "render": 1, "assembly": 2, "review": 3, "studio": 4,
                  "shot_status": 4, "desk": 5, "comparison": 5}
JOURNEYS = ("render", "review", "assembly")


def service_part(module: str) -> str | None:
    parts = module.split(".")
    return parts[2] if len(parts) > 2 and parts[:2] == ["studio", "services"] else None


def test_services_are_three_journeys_under_the_facades():
    """render, then assembly and review (which never import each other), then the Studio facade and the desk; a
    journey never imports a facade."""
    assert {path.name for path in (PACKAGE / "services").iterdir() if path.is_dir() and path.name != "__pycache__"} == set(JOURNEYS)
    wrong = [f"{name} imports {imported}"
             for name, path in modules() if (part := service_part(name)) is not None
             for imported, _ in imports(path) if (other := service_part(imported)) not in (None, part)
             and SERVICE_LAYERS[other] >= SERVICE_LAYERS[part] and not (part == "comparison" and other == "desk")]
    assert wrong == []


def test_a_journey_is_reached_only_through_its_surface():
    """Outside a journey, its package's `__all__` is all there is (the benchmarks, which measure the insides, aside);
    and that surface names only what it imports."""
    reached_inside = [f"{name} imports {imported}"
                      for name, path in modules() if part_of(name) != "bench"
                      for imported, _ in imports(path)
                      if (journey := service_part(imported)) in JOURNEYS and imported.count(".") > 2
                      and service_part(name) != journey]
    assert reached_inside == []
    for journey in JOURNEYS:
        surface = importlib.import_module(f"studio.services.{journey}")
        public = {name for name, value in vars(surface).items() if not name.startswith("_") and not inspect.ismodule(value)}
        assert public == set(surface.__all__), journey


def test_the_ui_uses_only_gradios_public_api():
    """No Gradio class subclassed, no `_private` attribute of an object other than the module's own, no import from
    inside the gradio package: what the pages rely on is what Gradio documents, so an upgrade keeps it."""
    private = []
    for name, path in modules():
        if part_of(name) != "ui":
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ClassDef) and any("gr." in ast.unparse(base) for base in node.bases):
                private.append(f"{name}:{node.lineno} subclasses {ast.unparse(node.bases[0])}")
            elif (isinstance(node, ast.Attribute) and node.attr.startswith("_") and not node.attr.startswith("__")
                  and ast.unparse(node.value) not in ("self", "cls")):
                private.append(f"{name}:{node.lineno} reads {ast.unparse(node)}")
            elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("gradio."):
                private.append(f"{name}:{node.lineno} imports from {node.module}")
    assert private == []
