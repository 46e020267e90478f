"""Command line: argument parsing and the sub-commands, nothing else."""

from __future__ import annotations

import argparse
import asyncio
import difflib
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn

from babel.numbers import format_decimal

from monitor import cli_maintenance, cli_report, cli_services, cli_snmp, config, logs
from monitor.i18n import DEFAULT_LANGUAGE, LANGUAGES, bilingual, translate
from probes import base, icmp

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2

_LOCALES = {"id": "id_ID", "en": "en_US"}


def _help_language(argv: Sequence[str]) -> str:
    for position, word in enumerate(argv):
        if word == "--lang" and position + 1 < len(argv):
            return argv[position + 1] if argv[position + 1] in LANGUAGES else DEFAULT_LANGUAGE
        if word.startswith("--lang="):
            value = word.split("=", 1)[1]
            return value if value in LANGUAGES else DEFAULT_LANGUAGE
    return DEFAULT_LANGUAGE


class _Parser(argparse.ArgumentParser):
    """ArgumentParser whose usage errors carry a translated line before argparse's own."""

    language = DEFAULT_LANGUAGE

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, translate("cli.usage_error", self.language, error=message) + "\n")


def build_parser(language: str) -> argparse.ArgumentParser:
    """Build the argument parser with help texts in ``language``."""
    _Parser.language = language

    def text(key: str) -> str:
        return translate(key, language)

    def duration(value: str) -> float:
        try:
            return config.parse_duration(value)
        except ValueError:
            raise argparse.ArgumentTypeError(
                translate("cli.bad_duration", language, value=value)
            ) from None

    def options(default: object) -> argparse.ArgumentParser:
        shared = argparse.ArgumentParser(add_help=False)
        shared.add_argument(
            "-c",
            "--config",
            metavar=text("cli.metavar.file"),
            default=default,
            help=text("cli.help.config"),
        )
        shared.add_argument(
            "--lang", choices=LANGUAGES, default=default, help=text("cli.help.lang")
        )
        return shared

    parser = _Parser(prog="pantau", description=text("cli.description"), parents=[options(None)])
    # SUPPRESS keeps "pantau -c FILE probe" from being reset by the sub-command.
    common = options(argparse.SUPPRESS)
    commands = parser.add_subparsers(
        dest="command", required=True, metavar=text("cli.metavar.command"), parser_class=_Parser
    )
    commands.add_parser("run", parents=[common], help=text("cli.help.run"))
    commands.add_parser("check-config", parents=[common], help=text("cli.help.check"))
    probe = commands.add_parser("probe", parents=[common], help=text("cli.help.probe"))
    probe.add_argument("targets", nargs="*", metavar="TARGET", help=text("cli.help.targets"))
    probe.add_argument("--json", action="store_true", help=text("cli.help.json"))
    probe.add_argument("-v", "--verbose", action="store_true", help=text("cli.help.verbose"))
    probe.add_argument(
        "--sample",
        metavar=text("cli.metavar.duration"),
        type=duration,
        default=5.0,
        help=text("cli.help.sample"),
    )
    probe.add_argument(
        "--send-interval",
        metavar=text("cli.metavar.duration"),
        type=duration,
        default=0.0,
        help=text("cli.help.send_interval"),
    )
    commands.add_parser("notify-test", parents=[common], help=text("cli.help.notify_test"))
    cli_maintenance.add_parser(commands, common, language)
    cli_report.add_parser(commands, common, language)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``pantau`` command; returns the exit code."""
    try:
        return _main(argv)
    except BrokenPipeError:
        # The reader went away (`pantau probe --json | head`): stop quietly.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_FAILED


def _main(argv: Sequence[str] | None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser(_help_language(argv))
    args = parser.parse_args(argv)
    path = config.find_config_path(args.config, os.environ)

    if args.command == "check-config":
        return _check_config(path, args.lang)
    if args.command == "run":
        return _run(path, args.lang)
    if args.command == "notify-test":
        return _notify_test(path, args.lang)
    if args.command == "maintenance":
        return _maintenance(path, args)
    if args.command == "report":
        return _report(path, args)
    return _probe(
        path, args.lang, args.targets, args.json, args.verbose, args.send_interval, args.sample
    )


def _load(
    path: Path, language: str | None, *, invalid_exit: int, require_secrets: bool = True
) -> config.Inventory | int:
    """Load the configuration or print why not; return the inventory or an exit code."""
    try:
        return config.load(path, require_secrets=require_secrets)
    except config.ConfigError as error:
        # The configured language is unknown when the file is invalid: an
        # explicit --lang picks one language, otherwise both are shown.
        if language:
            print(error.render(language), file=sys.stderr)
        else:
            print(error.render("id"), file=sys.stderr)
            print(file=sys.stderr)
            print(error.render("en"), file=sys.stderr)
        return invalid_exit
    except FileNotFoundError:
        _print_error("config.file_missing", language, file=path)
        return EXIT_USAGE
    except IsADirectoryError:
        _print_error("config.file_is_directory", language, file=path)
        return EXIT_USAGE
    except OSError as error:
        _print_error("config.file_unreadable", language, file=path, error=error)
        return EXIT_USAGE


def _print_error(key: str, language: str | None, **params: object) -> None:
    text = translate(key, language, **params) if language else bilingual(key, **params)
    print(text, file=sys.stderr)


def _check_config(path: Path, language: str | None) -> int:
    loaded = _load(path, language, invalid_exit=EXIT_FAILED)
    if isinstance(loaded, int):
        return loaded
    language = language or loaded.daemon.language
    unconfigured = sum(1 for target in loaded.targets if target.placeholder)
    print(
        translate(
            "check.ok",
            language,
            file=path,
            targets=len(loaded.targets),
            configured=len(loaded.targets) - unconfigured,
            unconfigured=unconfigured,
            groups=len({target.group for target in loaded.targets}),
            networks=", ".join(sorted({t.network for t in loaded.targets if t.network}))
            or translate("check.no_network", language),
        )
    )
    kinds = cli_services.service_checks.SERVICE_PROBES
    counts = {kind: sum(kind in target.probes for target in loaded.targets) for kind in kinds}
    if any(counts.values()):
        checks = ", ".join(f"{kind} {count}" for kind, count in counts.items() if count)
        print(translate("check.services", language, checks=checks))
    return EXIT_OK


def _run(path: Path, language: str | None) -> int:
    loaded = _load(path, language, invalid_exit=EXIT_USAGE)
    if isinstance(loaded, int):
        return loaded
    from monitor.daemon import Daemon, StartupError

    logs.setup(loaded.daemon.log_level)
    daemon = Daemon(path, loaded, language or loaded.daemon.language)
    try:
        return asyncio.run(daemon.run())
    except StartupError as error:
        print(error.text, file=sys.stderr)
        return EXIT_USAGE


def _notify_test(path: Path, language: str | None) -> int:
    loaded = _load(path, language, invalid_exit=EXIT_USAGE)
    if isinstance(loaded, int):
        return loaded
    # Imported here so that the other commands start without loading Apprise.
    from monitor.cli_notify import notify_test

    logs.setup("warning")
    return notify_test(loaded, language)


def _maintenance(path: Path, args: argparse.Namespace) -> int:
    loaded = _load(path, args.lang, invalid_exit=EXIT_USAGE, require_secrets=False)
    if isinstance(loaded, int):
        return loaded
    return cli_maintenance.run(args, loaded, args.lang or loaded.daemon.language)


def _report(path: Path, args: argparse.Namespace) -> int:
    loaded = _load(path, args.lang, invalid_exit=EXIT_USAGE, require_secrets=False)
    if isinstance(loaded, int):
        return loaded
    return cli_report.run(args, loaded, args.lang or loaded.daemon.language)


def _probe(
    path: Path,
    language: str | None,
    names: list[str],
    as_json: bool,
    verbose: bool,
    send_interval: float,
    sample: float,
) -> int:
    loaded = _load(path, language, invalid_exit=EXIT_USAGE)
    if isinstance(loaded, int):
        return loaded
    language = language or loaded.daemon.language
    logs.setup("warning")

    known = {target.name: target for target in loaded.targets}
    names = list(dict.fromkeys(names))
    unknown = [name for name in names if name not in known]
    for name in unknown:
        close = difflib.get_close_matches(name, known, n=3, cutoff=0.5)
        suggestion = ", ".join(close) if close else translate("probe.no_suggestion", language)
        _print_error("probe.unknown_target", language, name=name, file=path, close=suggestion)
    if unknown:
        return EXIT_USAGE
    chosen = [known[name] for name in names] if names else list(loaded.targets)
    targets = [target for target in chosen if "icmp" in target.probes]
    snmp_targets = [t for t in chosen if "snmp" in t.probes and not t.placeholder and t.snmp]
    service_results = asyncio.run(cli_services.run_checks(chosen))

    try:
        results = asyncio.run(_probe_targets(targets, send_interval))
    except icmp.IcmpUnavailableError as error:
        text = translate(
            "daemon.icmp_unavailable",
            language,
            raw_error=error.raw_error,
            datagram_error=error.datagram_error,
        )
        print(text, file=sys.stderr)
        return EXIT_USAGE

    snmp_results = (
        asyncio.run(cli_snmp.poll_twice(loaded, snmp_targets, sample)) if snmp_targets else []
    )

    if as_json:
        by_name = {target.name: target for target in chosen}
        # Compact on purpose: indent= makes json fall back from its C encoder
        # to pure Python, three times slower than the sweep itself at 10,000
        # targets. Pipe the output through `jq` to read it.
        everything = [*results, *(result for result, _ in snmp_results)]
        everything += [result for _, result in service_results]
        print(json.dumps([_result_json(by_name[r.target], r) for r in everything]))
    else:
        if targets:
            _print_table(targets, results, language, verbose)
        for result, state in snmp_results:
            print()
            cli_snmp.print_snmp(known[result.target], result, state, language)
        cli_services.print_results(service_results, language, loaded.daemon.timezone, verbose)
    failed = [
        r
        for r in [
            *results,
            *(result for result, _ in snmp_results),
            *(result for _, result in service_results),
        ]
        if not r.success and r.reason != base.UNCONFIGURED
    ]
    return EXIT_FAILED if failed else EXIT_OK


async def _probe_targets(
    targets: list[config.Target], send_interval: float
) -> list[base.ProbeResult]:
    from monitor.scheduler import icmp_request

    placeholders = [t for t in targets if t.placeholder]
    live = [t for t in targets if not t.placeholder]
    results = {t.name: _unconfigured_result(t) for t in placeholders}
    if live:
        pinger = icmp.Pinger(min_send_gap=send_interval)
        try:
            for result in await icmp.probe_many([icmp_request(t) for t in live], pinger):
                results[result.target] = result
        finally:
            pinger.close()
    return [results[t.name] for t in targets]


def _unconfigured_result(target: config.Target) -> base.ProbeResult:
    return base.ProbeResult(
        target=target.name,
        probe="icmp",
        success=False,
        reason=base.UNCONFIGURED,
        started=0.0,
        duration=0.0,
        detail=icmp.IcmpDetail(resolved=(target.address,)),
    )


def _result_json(target: config.Target, result: base.ProbeResult) -> dict[str, object]:
    if result.probe in cli_services.service_checks.SERVICE_PROBES:
        return {
            "target": result.target,
            "group": target.group,
            "network": target.network,
            "address": target.address,
            "probe": result.probe,
            "success": result.success,
            "reason": result.reason,
            "message": result.message,
            "started": result.started,
            "duration_seconds": result.duration,
            "values": dict(result.values),
            "detail": cli_services.jsonable(result.detail),
        }
    detail = result.detail if isinstance(result.detail, icmp.IcmpDetail) else None
    stats = detail.stats if detail else None
    return {
        "target": result.target,
        "group": target.group,
        "network": target.network,
        "address": target.address,
        "resolved": list(detail.resolved) if detail else [],
        "probe": result.probe,
        "success": result.success,
        "reason": result.reason,
        "message": result.message or (detail.error if detail else ""),
        "started": result.started,
        "duration_seconds": result.duration,
        "values": dict(result.values),
        "fallback_from_ip_version": detail.fallback_from if detail else None,
        "echoes": [
            {
                "sequence": echo.sequence,
                "rtt_seconds": echo.rtt,
                "late": echo.late,
                "duplicates": echo.duplicates,
            }
            for echo in (stats.echoes if stats else ())
        ],
    }


def _number(value: float, language: str, digits: int) -> str:
    """Format ``value`` with the decimal mark of ``language`` (a comma in Indonesian)."""
    pattern = "#,##0." + "0" * digits
    return format_decimal(value, format=pattern, locale=_LOCALES.get(language, "id_ID"))


def _milliseconds(value: float | None, language: str) -> str:
    return "-" if value is None else _number(value * 1000, language, 3)


def _print_table(
    targets: list[config.Target], results: list[base.ProbeResult], language: str, verbose: bool
) -> None:
    def text(key: str, **params: object) -> str:
        return translate(key, language, **params)

    print(
        text(
            "probe.header",
            target=text("probe.col.target"),
            status=text("probe.col.status"),
            address=text("probe.col.address"),
            sent=text("probe.col.sent"),
            received=text("probe.col.received"),
            loss=text("probe.col.loss"),
            rtt=text("probe.col.rtt"),
        )
    )
    counts = {"ok": 0, "failed": 0, "unconfigured": 0}
    for target, result in zip(targets, results, strict=True):
        values = result.values
        if result.reason == base.UNCONFIGURED:
            verdict = text("status.unconfigured")
            counts["unconfigured"] += 1
        elif result.success:
            verdict = text("probe.result.ok")
            counts["ok"] += 1
        else:
            verdict = text("probe.result.failed")
            counts["failed"] += 1
        detail = result.detail if isinstance(result.detail, icmp.IcmpDetail) else None
        address = target.address
        if detail and detail.resolved and detail.resolved[0] != target.address:
            used = detail.resolved[-1] if detail.fallback_from else detail.resolved[0]
            address = f"{target.address} ({used})"
        rtt = "/".join(
            _milliseconds(values.get(f"rtt_{name}_seconds"), language)
            for name in ("min", "median", "max")
        )
        loss = "-"
        if "loss_ratio" in values:
            loss = f"{_number(values['loss_ratio'] * 100, language, 1)} %"
        print(
            text(
                "probe.header",
                target=target.name,
                status=verdict,
                address=address,
                sent=int(values.get("sent", 0)),
                received=int(values.get("received", 0)),
                loss=loss,
                rtt=rtt,
            )
        )
        if not result.success or verbose:
            print(text("probe.detail", reason=text(f"reason.{result.reason}")))
        if detail and detail.fallback_from:
            other = 4 if detail.fallback_from == 6 else 6
            print(text("probe.fallback", version=detail.fallback_from, other=other))
        if verbose and detail and detail.stats:
            for echo in detail.stats.echoes:
                print(
                    text(
                        "probe.echo",
                        sequence=echo.sequence,
                        rtt=text("probe.echo.lost")
                        if echo.rtt is None
                        else f"{_milliseconds(echo.rtt, language)} ms",
                        late=text("probe.echo.late") if echo.late else "",
                        duplicates=text("probe.echo.duplicates", count=echo.duplicates)
                        if echo.duplicates
                        else "",
                    )
                )
    print(text("probe.summary", **counts))


if __name__ == "__main__":
    sys.exit(main())
