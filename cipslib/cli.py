"""The ``cips`` command.

    cips check params/2025.yaml             check a cycle's data as its params describe them
    cips check export.sav --cycle 2025      check a data file against the shipped (or --codebook)
                                            codebook
    cips benchmark PACKAGE_DIR... --out DIR [--own CODE] [--min-cell N]
                                            pool exchange packages: benchmark.json (estimates,
                                            peers, change, pooled) and benchmark-summary.json
    cips demo-data [--out DIR] [--verify]   write the demo files (byte for byte) into DIR
                                            (default: .) or verify them
    cips findings params/2025.yaml          compute the findings and write findings.json
    cips kpi params/2025.yaml params/2024.yaml [--kpis FILE] [--out DIR]
                                            write the PMM KPI table as CSV and XLSX
    cips render params/2025.yaml [--all] [--format html,pdf] [--out reports/]
                [--pdf-engine chromium] [--by region] [--jobs N]
                                            render the findings report (atomically) into
                                            reports/<cycle>/, with one report per unit under
                                            reports/<cycle>/units/ and an index page

Results go to stdout; errors and warnings to stderr. Exit codes: 0 when the checks pass, 2 for bad
input (every problem is printed), 1 for an internal error. No traceback is printed unless
CIPS_DEBUG=1 is set.
"""

from __future__ import annotations

import argparse
import filecmp
import os
import shlex
import sys
import tempfile
from pathlib import Path

# only what every command needs: each command imports its own modules (``cips render`` needs none
# of the analysis stack, which its notebook's kernel imports)
from . import __version__
from .errors import BAD_INPUT, CipsError
from .files import atomic_write
from .inputs.params import load_params


def _check_target(
    target: str,
    cycle: int | None,
    codebook_path: str | None,
    out,
    constants: dict | None = None,
    sheet: str | None = None,
) -> None:
    """Check what a params file describes as ``cips findings`` and ``cips render`` would (the same
    :func:`~cipslib.analysis.prepare.prepare_inputs`), or a data file against a codebook; print
    what was read."""
    import pandas as pd

    from .analysis.prepare import prepare_inputs
    from .analysis.quality import screen
    from .inputs.codebook import load_codebook
    from .inputs.loading import load_cycle

    path = Path(target)
    omitted, earlier, populations, design = [], [], {}, None
    if path.suffix.lower() in (".yaml", ".yml"):
        inputs = prepare_inputs(path)
        prepared, params = inputs.current, inputs.params
        cb = prepared.codebook
        report, quality, data = prepared.load, prepared.quality, prepared.data
        populations, design = prepared.populations, prepared.design
        omitted, earlier = inputs.definitions.omitted, inputs.earlier
        title = (
            params.title.get(params.language) or next(iter(params.title.values()), "")
            if isinstance(params.title, dict)
            else params.title
        )
        print(f"== CIPS {params.cycle}: {title or path.name}", file=out)
    else:
        cb = load_codebook(codebook_path)
        cd = load_cycle(path, cb, cycle, constants=constants, sheet=sheet)
        report, quality = cd.report, screen(cd.data, cb)
        data = quality.retained(cd.data)
        print(f"== CIPS {cd.cycle}: {path.name}", file=out)
    print(report.summary(), file=out)
    _print_mapping(report.mapping(), out)
    _print_scale_order(cb, out)
    counts = quality.flags["group"].value_counts()
    print(
        "  respondents: "
        + ", ".join(f"{g} {counts.get(g, 0)}" for g in data["group"].cat.categories),
        file=out,
    )
    for g in cb.group_names:  # who answered, by the variable the group's trend is decomposed by
        by = cb.decompose_by_of(g)
        members = data.loc[data["group"] == g, by] if by in data else pd.Series(dtype=object)
        if members.notna().any():
            shares = members.value_counts(normalize=True, sort=False)
            listed = ", ".join(f"{level} {share:.0%}" for level, share in shares.items() if share)
            print(f"  {cb.group_members(g, 'en')} analysed by {by}: {listed}", file=out)
    nr = report.nonresponse
    print(
        f"  answers recorded as don't know: {int(nr['dont_know'].sum())}; refusals: "
        f"{int(nr['refusal'].sum())}",
        file=out,
    )
    for group, pop in populations.items():
        tag = " (illustrative figures)" if pop.illustrative else ""
        print(
            f"  population of {group}: {pop.total:,.0f}{tag}; margins: {', '.join(pop.margins)}",
            file=out,
        )
    print("  quality screens:", file=out)
    for line in quality.summary.to_string().splitlines():
        print("    " + line, file=out)
    if populations and design is not None:
        summary = design.weight_summary()
        margins = summary["margins"]
        shown = margins[~margins["level"].astype(str).str.startswith("(")]
        worst = float((shown["difference"].abs() / shown["target"]).max())
        print(
            f"  weighting: raked to the population margins in {summary['iterations']} "
            f"iterations (largest margin error {worst:.1e})",
            file=out,
        )
        table = design.weight_summary(by="group")[
            ["group", "n", "min", "max", "n_effective", "deff_weighting"]
        ]
        for line in table.round(2).to_string(index=False).splitlines():
            print("    " + line, file=out)
    for older in earlier:
        print(
            f"  previous cycle {older.cycle} ({older.source}): {len(older.data)} respondents "
            "analysed",
            file=out,
        )
    if omitted:
        from .analysis.omissions import combined, omission_text

        print("  left out of the findings and the report:", file=out)
        for o in combined([o.to_dict() for o in omitted]):
            print(f"    {omission_text(o, 'en', cb)}", file=out)
        if params.indicators is None and any(o.reason == "indicator_item" for o in omitted):
            print(
                "  the shipped indicators are written for the shipped questionnaire: define those "
                "of your own questions in a file the params setting 'indicators' names "
                "(docs/codebook.md)",
                file=out,
            )


def _print_mapping(mapping, out) -> None:
    """The columns as they were read, so the analyst can confirm what each column was taken for."""
    read = mapping[mapping["target"].notna()]
    rules = read["rule"].value_counts()
    by = ", ".join(f"{rules[r]} by {r}" for r in ("id", "key", "alias", "text") if r in rules)
    print(f"  columns read: {len(read)} ({by})", file=out)
    for _, m in mapping.iterrows():
        column = m["column"] if len(m["column"]) <= 70 else m["column"][:67] + "..."
        read = isinstance(m["target"], str)
        shown = f"{m['kind']} {m['target']} (by {m['rule']})" if read else m["kind"]
        print(f"    {column} -> {shown}", file=out)


def _print_scale_order(cb, out) -> None:
    """Ordinal scales whose code numbers do not follow their listed order: scores follow the
    listed order, so the analyst sees which order that is."""
    for scale in cb.scales.values():
        if scale.type != "ordinal" or scale.in_code_order:
            continue
        order = " < ".join(f"{c} {next(iter(scale.labels[c].values()), '')}" for c in scale.codes)
        print(
            f"  scale '{scale.name}': the code numbers are not in the scale's listed order; "
            f"scores follow the listed order (least to most favourable): {order}",
            file=out,
        )


def _cmd_codebook_diff(args) -> int:
    from .inputs.codebook import load_codebook
    from .inputs.codebook_diff import diff_codebooks

    old, new = load_codebook(args.old), load_codebook(args.new)
    changes = diff_codebooks(old, new)
    print(f"{args.old} -> {args.new}: {len(changes)} change(s)")
    for change, part in changes.groupby("change", sort=False):
        print(f"  {change}:")
        for r in part.itertuples():
            ids = " -> ".join(dict.fromkeys(i for i in (r.id_old, r.id_new) if isinstance(i, str)))
            what = {
                "added": f"{r.new}",
                "removed": f"{r.old}",
            }.get(change, f"{r.old}  ->  {r.new}")
            print(f"    {r.key} ({ids}): {what}")
    return 0


def _cmd_codebook_draft(args) -> int:
    from .inputs.draft import draft_codebook

    out = Path(args.out)
    if out.exists() and not args.force:
        print(f"{out} exists; give --force to replace it", file=sys.stderr)
        return 2
    text = draft_codebook(args.export, sheet=args.sheet, language=args.language)
    atomic_write(out, lambda p: p.write_text(text, encoding="utf-8"))
    todo = text.count("TODO")
    print(
        f"{out}: a draft codebook with {text.count(chr(10) + '- id: ')} items; "
        f"{todo} TODO marks to complete, then run: cips check {shlex.quote(args.export)} "
        f"--codebook {shlex.quote(str(out))} --cycle YEAR"
        + (f" --sheet {shlex.quote(args.sheet)}" if args.sheet else "")
    )
    return 0


def _constants(pairs: list[str] | None) -> dict[str, str]:
    """``--set mode=online`` options as {variable: value}."""
    out = {}
    for pair in pairs or []:
        name, sep, value = pair.partition("=")
        if not sep or not name.strip():
            raise CipsError(f"--set takes VARIABLE=VALUE, e.g. --set mode=online (found '{pair}')")
        out[name.strip()] = value.strip()
    return out


def _cmd_check(args) -> int:
    status = 0
    for target in args.targets:
        try:
            _check_target(
                target, args.cycle, args.codebook, sys.stdout, _constants(args.set), args.sheet
            )
        except BAD_INPUT as exc:
            print(f"== {target}: cannot be used", file=sys.stderr)
            print(str(exc), file=sys.stderr)
            status = 2
    return status


def _cmd_demo_data(args) -> int:
    from .inputs.demo import DEMO_FILES, demo_dir
    from .inputs.synthetic import write_demo_files

    if args.verify:
        with tempfile.TemporaryDirectory() as tmp:
            write_demo_files(tmp)
            bad = [
                name
                for name in DEMO_FILES.values()
                if not filecmp.cmp(Path(tmp) / name, demo_dir() / name, shallow=False)
            ]
        if bad:
            print(
                "the shipped demo files differ from a fresh generation: " + ", ".join(bad),
                file=sys.stderr,
            )
            return 1
        print("the shipped demo files are identical to a fresh generation")
        return 0
    paths = write_demo_files(args.out or ".")
    for cycle, path in paths.items():
        print(f"{cycle}: {path}")
    return 0


def _pdf_engine(name: str) -> str:
    """A PDF engine of the render's registry (imported only when the option is given)."""
    from .report.render import PDF_ENGINES

    if name not in PDF_ENGINES:
        raise argparse.ArgumentTypeError(
            f"unknown PDF engine '{name}' (choose from {', '.join(PDF_ENGINES)})"
        )
    return name


def _cmd_questionnaire(args) -> int:
    from .errors import CipsError
    from .inputs.codebook import load_codebook
    from .questionnaire.paper import write_paper
    from .questionnaire.xlsform import write_xlsform

    params = load_params(args.params) if args.params else None
    cb = load_codebook(args.codebook or (params.codebook_path if params else None))
    texts = params.questionnaire if params else {}
    cycle = args.cycle or (params.cycle if params else None)
    instruments = list(cb.instruments) if args.instrument == "all" else [args.instrument]
    langs = list(cb.languages) if args.lang in (None, "all") else args.lang.split(",")
    problems = [f"no questionnaire '{i}'" for i in instruments if i not in cb.instruments]
    problems += [f"no wording in '{lang}'" for lang in langs if lang not in cb.languages]
    if args.format not in ("xlsform", "pdf", "html"):
        problems.append(f"no format '{args.format}' (use xlsform, pdf or html)")
    if problems:
        raise CipsError(
            f"{cb.path}: " + "; ".join(problems) + " (the codebook has the questionnaires "
            f"{', '.join(cb.instruments)} in {', '.join(cb.languages)})"
        )
    out = Path(args.out)
    # one file: written at --out when it names a file (has a suffix), else into that folder
    one = len(instruments) == 1 and (args.format == "xlsform" or len(langs) == 1)
    one = one and bool(out.suffix)
    for instrument in instruments:
        stem = instrument + (f"_{cycle}" if cycle else "")
        if args.format == "xlsform":  # one form holds every language
            path = out if one and not out.is_dir() else out / f"{stem}.xlsx"
            atomic_write(path, lambda p, i=instrument: write_xlsform(cb, i, p, cycle))
            languages = ", ".join(cb.languages)
            print(f"{path}: the {instrument} questionnaire as an XLSForm ({languages})")
            continue
        for lang in langs:
            path = out if one and not out.is_dir() else out / f"{stem}_{lang}.{args.format}"
            atomic_write(
                path, lambda p, i=instrument, lang=lang: write_paper(cb, i, lang, p, cycle, texts)
            )
            print(f"{path}: the {instrument} questionnaire in '{lang}' ({args.format})")
    return 0


def _cmd_fieldwork(args) -> int:
    from .analysis.fieldwork import fieldwork_status
    from .inputs.codebook import load_codebook
    from .report.fieldwork import write_fieldwork

    params = load_params(args.params)
    status = fieldwork_status(params, args.data, args.by)
    cb = load_codebook(params.codebook_path)
    print(f"== CIPS {status.cycle} fieldwork: {status.respondents} of {status.read} kept")
    response = status.tables["response"]
    rep = status.tables["representativeness"].set_index("group")
    for _, r in response[response["variable"].isna()].iterrows():
        g = r["group"]
        rate = "no population figures" if r["rate"] != r["rate"] else f"{r['rate']:.1f}%"
        line = f"  {g}: response rate {rate}"
        if g in rep.index and rep.loc[g, "r_indicator"] == rep.loc[g, "r_indicator"]:
            line += f", R-indicator {rep.loc[g, 'r_indicator']:.2f}, CV {rep.loc[g, 'cv']:.2f}"
        print(line)
    units = status.tables["units"]
    if not units.empty:
        short = units[~units["report"]]
        listed = ", ".join(f"{u.unit} ({u.group})" for u in short.itertuples()) or "none"
        print(f"  units short of {status.min_cell} respondents (no unit report yet): {listed}")
    for note in status.notes:
        print(f"  {note}")
    for path in write_fieldwork(status, args.out, cb, args.lang or params.language):
        print(path)
    return 0


def _cmd_share(args) -> int:
    from .errors import CipsDataError, Problem
    from .exchange.package import share_table, validate_package, write_package

    allow = tuple(v for v in (args.allow or "").split(",") if v)
    share = share_table(args.params, getattr(args, "as"), allow, args.min_cell)
    path = write_package(share, args.out)
    problems = validate_package(path)
    if problems:
        raise CipsDataError([Problem(str(path), p) for p in problems])
    merged = f"; {len(share.merges)} level merge(s), see README.md" if share.merges else ""
    print(f"{path}: {share.meta['respondents']} respondents, a valid data package{merged}")
    return 0


def _cmd_benchmark(args) -> int:
    from .benchmark.output import JSON_NAME, SUMMARY_NAME, benchmark, summary_lines
    from .inputs.languages import catalogue_languages

    known = catalogue_languages()
    languages = [x.strip() for x in args.lang.split(",") if x.strip()] if args.lang else known
    unknown = [x for x in languages if x not in known]
    if unknown:
        raise CipsError(
            f"--lang {','.join(unknown)}: no catalogue in that language (found {', '.join(known)})"
        )
    formats = [f.strip() for f in args.format.split(",") if f.strip()]
    if args.no_report:
        result = benchmark(args.packages, args.out, args.own, args.min_cell)
    else:
        from .report.render.benchmark import render_benchmark

        done = {}
        render_benchmark(
            lambda folder: done.setdefault(
                "result", benchmark(args.packages, folder, args.own, args.min_cell)
            ),
            args.out,
            languages,
            formats=formats,
            pdf_engine=args.pdf_engine,
        )
        result = done["result"]
    for line in summary_lines(result):
        print(line)
    print(f"wrote {Path(args.out) / JSON_NAME} and {Path(args.out) / SUMMARY_NAME}")
    if not args.no_report:
        print(f"and the report in {', '.join(languages)} ({', '.join(formats)}) in {args.out}")
    return 0


def _cmd_findings(args) -> int:
    from .analysis.pipeline import analyse
    from .text.sentences import render_finding

    for target in args.params:
        params = load_params(target)
        fnd = analyse(params, args.by, with_previous=not args.no_previous)
        out = Path(args.out) if args.out else params.output / str(params.cycle)
        path = atomic_write(out / "findings.json", fnd.to_json)
        print(f"{params.cycle}: {path} ({len(fnd.key_findings)} key findings)")
        cb, inds = fnd.inputs.current.codebook, fnd.inputs.definitions.indicators
        for k in fnd.key_findings[: args.show]:
            print(f"  {k['rank']:>2}. {render_finding(k, cb, inds, params.language)}")
    return 0


def _cmd_kpi(args) -> int:
    from .analysis.kpi import kpi_table, load_kpis, write_kpis
    from .analysis.pipeline import analyse
    from .analysis.prepare import load_definitions
    from .inputs.codebook import load_codebook

    params = [load_params(p) for p in args.params]
    cb = load_codebook(params[0].codebook_path)
    definitions = load_definitions(params[0], cb)
    indicators = definitions.indicators
    kpi_file = (
        Path(args.kpis) if args.kpis else Path(args.params[0]).resolve().parent / "pmm_kpis.yaml"
    )
    kpis = load_kpis(kpi_file, cb, indicators, list(definitions.omitted))
    findings = [analyse(p, with_previous=False) for p in params]
    table = kpi_table(findings, kpis, cb, indicators)
    out = Path(args.out) if args.out else params[0].output / "kpi"
    for path in write_kpis(table, out):
        print(path)
    shown = table[["kpi", "cycle", "value", "ci_low", "ci_high", "n"]].copy()
    print(shown.to_string(index=False, float_format=lambda v: f"{v:.1f}"))
    return 0


def _cmd_render(args) -> int:
    from .report.render import RenderError

    try:
        return _render_all(args)
    except RenderError as exc:
        print(str(exc) if exc.bad_input else f"render failed: {exc}", file=sys.stderr)
        print("the reports folder was left as it was", file=sys.stderr)
        return 2 if exc.bad_input else 1


def _render_all(args) -> int:
    from .report.render import check_language, render

    targets = list(args.params)
    if args.all:
        base = Path("params")
        targets += [str(p) for p in sorted(base.glob("*.yaml")) if _is_cycle_params(p)]
    if not targets:
        print("nothing to render: give params files or --all", file=sys.stderr)
        return 2
    formats = [f.strip() for f in args.format.split(",") if f.strip()]
    languages = [x.strip() for x in args.lang.split(",")] if args.lang else [None]
    for target in dict.fromkeys(targets):  # every params file and language checked first
        params = load_params(target)
        for lang in languages:
            if lang not in (None, params.language):
                check_language(params, lang)
    for target in dict.fromkeys(targets):
        params = load_params(target)
        for lang in languages:
            name = (
                None
                if lang in (None, params.language) and len(languages) == 1
                else f"{params.cycle}"
                if lang == params.language
                else f"{params.cycle}-{lang}"
            )
            folder = render(
                target,
                formats=formats,
                out=args.out,
                pdf_engine=args.pdf_engine,
                language=lang,
                timeout=args.timeout,
                progress=not args.quiet,
                name=name,
                units_by=args.by,
                jobs=args.jobs,
            )
            if not args.quiet:
                print(f"{params.cycle}{'' if lang is None else ' (' + lang + ')'}: {folder}")
        if args.comparison and params.previous is not None:
            folder = render(
                target,
                formats=formats,
                out=args.out,
                pdf_engine=args.pdf_engine,
                timeout=args.timeout,
                progress=not args.quiet,
                notebook="cycle_comparison.ipynb",
                name=f"comparison-{load_params(params.previous).cycle}-{params.cycle}",
            )
            if not args.quiet:
                print(f"comparison: {folder}")
    return 0


def _is_cycle_params(path: Path) -> bool:
    from .inputs.yamlfile import read_yaml

    try:
        raw = read_yaml(path, "params")
    except CipsError:
        return False
    return isinstance(raw, dict) and "cycle" in raw


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="cips", description="Customs Integrity Perception Survey toolkit"
    )
    parser.add_argument("--version", action="version", version=f"cipslib {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("check", help="check survey data against the codebook and print a summary")
    p.add_argument(
        "targets", nargs="+", help="params YAML files, or data files (then give --cycle)"
    )
    p.add_argument("--cycle", type=int, help="survey year of a data file")
    p.add_argument("--codebook", help="codebook YAML (default: the shipped one)")
    p.add_argument("--sheet", help="Excel sheet to read (data files)")
    p.add_argument(
        "--set",
        action="append",
        metavar="VARIABLE=VALUE",
        help="a respondent variable the file has no column for, e.g. --set mode=online",
    )
    p.set_defaults(func=_cmd_check)
    p = sub.add_parser("codebook", help="work on a questionnaire codebook")
    verbs = p.add_subparsers(dest="verb", required=True)
    p = verbs.add_parser(
        "draft", help="draft a codebook from a survey export (TODO marks to complete)"
    )
    p.add_argument("export", help="the survey export (CSV, XLSX, SAV, Parquet)")
    p.add_argument("--out", required=True, help="where to write the draft codebook (YAML)")
    p.add_argument("--sheet", help="Excel sheet to read")
    p.add_argument(
        "--language", default="en", help="language of the export's question texts (en, uk, fr, ...)"
    )
    p.add_argument("--force", action="store_true", help="replace an existing file")
    p.set_defaults(func=_cmd_codebook_draft)
    p = verbs.add_parser(
        "diff", help="list the items added, removed, reworded, re-scaled or moved between two"
    )
    p.add_argument("old", help="the earlier codebook")
    p.add_argument("new", help="the later codebook")
    p.set_defaults(func=_cmd_codebook_diff)
    p = sub.add_parser(
        "questionnaire",
        help="write a questionnaire of the codebook: an XLSForm (KoboToolbox, ODK, SurveyCTO) or "
        "a printable PDF or HTML",
    )
    p.add_argument(
        "codebook", nargs="?", help="the codebook (default: the params', else the shipped one)"
    )
    p.add_argument("--instrument", required=True, help="the questionnaire, or all")
    p.add_argument("--format", default="xlsform", help="xlsform (default), pdf or html")
    p.add_argument("--lang", help="languages of a pdf or html questionnaire (default: all)")
    p.add_argument("--params", help="a params file: its cycle, codebook and questionnaire texts")
    p.add_argument("--cycle", type=int, help="the items asked in this cycle (default: every item)")
    p.add_argument(
        "--out", required=True, help="the .xlsx to write (a folder for --instrument all)"
    )
    p.set_defaults(func=_cmd_questionnaire)
    p = sub.add_parser(
        "fieldwork", help="monitor a survey in the field: response, representativeness, units"
    )
    p.add_argument("params", help="the cycle's params file (population figures, units)")
    p.add_argument("--data", help="the export so far (default: the params' data)")
    p.add_argument("--by", help="the units' variable (default: the params' units: by:)")
    p.add_argument("--lang", help="the page's language (default: the params' language)")
    p.add_argument("--out", required=True, help="folder for fieldwork.html, .json and the CSVs")
    p.set_defaults(func=_cmd_fieldwork)
    p = sub.add_parser(
        "share", help="write an anonymised exchange package (Frictionless Data Package, Parquet)"
    )
    p.add_argument("params", help="the cycle's params file")
    p.add_argument("--as", required=True, help="the administration's pseudonymous code, e.g. A07")
    p.add_argument("--out", required=True, help="folder of the package")
    p.add_argument("--allow", help="respondent variables to include, e.g. role,tenure")
    p.add_argument(
        "--min-cell", type=int, help="fewest respondents per combination (default: params)"
    )
    p.set_defaults(func=_cmd_share)
    p = sub.add_parser(
        "benchmark",
        help="pool exchange packages: estimates per administration, peers, change, pooled",
    )
    p.add_argument("packages", nargs="+", metavar="PACKAGE_DIR", help="exchange package folders")
    p.add_argument(
        "--out", required=True, help="folder for benchmark.json, its summary and the report"
    )
    p.add_argument("--own", help="the code of the administration the benchmark is made for")
    p.add_argument(
        "--min-cell", type=int, default=10, help="fewest respondents behind a figure (default 10)"
    )
    p.add_argument("--lang", help="report languages, e.g. en,fr (default: every catalogue's)")
    p.add_argument("--format", default="html,pdf", help="html, pdf or html,pdf (default)")
    p.add_argument("--pdf-engine", default="weasyprint", type=_pdf_engine, help="PDF engine")
    p.add_argument(
        "--no-report", action="store_true", help="write benchmark.json and its summary only"
    )
    p.set_defaults(func=_cmd_benchmark)
    p = sub.add_parser("demo-data", help="regenerate the shipped demo files, byte for byte")
    p.add_argument("--out", help="folder to write to (default: the current folder)")
    p.add_argument(
        "--verify",
        action="store_true",
        help="only check that the shipped files regenerate identically",
    )
    p.set_defaults(func=_cmd_demo_data)
    p = sub.add_parser("findings", help="compute a cycle's findings and write findings.json")
    p.add_argument("params", nargs="+", help="params YAML files")
    p.add_argument(
        "--out", help="folder for findings.json (default: the params output folder / cycle)"
    )
    p.add_argument(
        "--no-previous", action="store_true", help="skip the trends against the previous cycle"
    )
    p.add_argument(
        "--by",
        help="with the unit reports of this respondent variable, e.g. region: the national "
        "subgroup cells they withhold are hidden, as cips render --by writes them "
        "(default: the params' units: by:)",
    )
    p.add_argument(
        "--show", type=int, default=5, help="number of key findings to print (default 5)"
    )
    p.set_defaults(func=_cmd_findings)
    p = sub.add_parser("kpi", help="write the PMM KPI table (CSV and XLSX) for one or more cycles")
    p.add_argument("params", nargs="+", help="params YAML files, one per cycle")
    p.add_argument(
        "--kpis", help="KPI definitions (default: pmm_kpis.yaml beside the first params file)"
    )
    p.add_argument("--out", help="output folder (default: the params output folder / kpi)")
    p.set_defaults(func=_cmd_kpi)
    p = sub.add_parser(
        "render", help="execute the report notebook and write HTML and PDF into reports/<cycle>/"
    )
    p.add_argument("params", nargs="*", help="params YAML files, one per cycle")
    p.add_argument("--all", action="store_true", help="render every cycle params file in ./params")
    p.add_argument("--format", default="html,pdf", help="html, pdf or html,pdf (default)")
    p.add_argument("--out", help="reports folder (default: the params' output setting)")
    p.add_argument(
        "--pdf-engine",
        default="weasyprint",
        type=_pdf_engine,
        help="PDF engine: weasyprint (default, installed with cipslib) or chromium (a system "
        "chromium); the engines of cipslib.report.render.PDF_ENGINES",
    )
    p.add_argument(
        "--lang", help="report language(s), e.g. fr or en,uk,fr (default: the params' language)"
    )
    p.add_argument(
        "--comparison",
        action="store_true",
        help="also render the comparison with the previous cycle",
    )
    p.add_argument(
        "--by",
        help="also one report per unit of this respondent variable, e.g. region (default: the "
        "params' units: by:)",
    )
    p.add_argument(
        "--jobs",
        type=int,
        default=1,
        help="unit reports rendered side by side, one kernel each (default 1)",
    )
    p.add_argument(
        "--timeout", type=int, default=600, help="seconds allowed per notebook cell (default 600)"
    )
    p.add_argument(
        "--quiet", action="store_true", help="print errors only (no progress bar, no summary)"
    )
    p.set_defaults(func=_cmd_render)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command == "render":
        # Spare the last garbage collection of a process that exits after a render: it would walk
        # every object the render left (papermill, nbconvert, WeasyPrint, the executed notebook),
        # ~0.7 s. At exit (not now: main also runs inside other programs, such as the tests) they
        # are frozen out of its walk (gc.freeze) and the system frees their memory. Skipped are
        # the finalisers of objects in reference cycles, which a render needs none of: it closes
        # every file it writes (with blocks, write_text, atomic renames), shuts its kernel down and
        # removes the kernel's files itself; temporary folders go by their own exit hooks (atexit
        # runs them all), and Python flushes stdout and stderr at exit anyway.
        import atexit
        import gc

        atexit.unregister(gc.freeze)  # once, however many renders this process runs
        atexit.register(gc.freeze)
    try:
        return args.func(args)
    except BAD_INPUT as exc:
        print(str(exc), file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # the reader of stdout went away (cips check ... | head)
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except Exception as exc:  # last resort: a clear line instead of a traceback
        if os.environ.get("CIPS_DEBUG"):
            raise
        print(
            f"internal error: {type(exc).__name__}: {exc}\n(set CIPS_DEBUG=1 to see the details)",
            file=sys.stderr,
        )
        return 1


if __name__ == "__main__":
    sys.exit(main())
