"""Texts of the readiness report and of `pantau report`: figures, verdicts, reasons, errors."""

from __future__ import annotations

MESSAGES: dict[str, dict[str, str]] = {
    # Heading of the report.
    "report.title": {
        "id": "Laporan kesiapan infrastruktur · {period}",
        "en": "Infrastructure readiness report · {period}",
    },
    "report.period": {"id": "Periode: {dates} ({zone})", "en": "Period: {dates} ({zone})"},
    "report.data_up_to": {"id": "Data sampai: {time}", "en": "Data up to: {time}"},
    "report.data_up_to_none": {
        "id": "Data sampai: belum ada rekap riwayat",
        "en": "Data up to: no history rolled up yet",
    },
    "report.partial": {
        "id": "Periode belum selesai: angka dihitung sampai {time}",
        "en": "The period is not over: figures run up to {time}",
    },
    "report.generated": {"id": "Dibuat: {time}", "en": "Generated: {time}"},
    "report.summary": {"id": "Ringkasan", "en": "Summary"},
    "report.no_targets": {
        "id": "tidak ada target di konfigurasi",
        "en": "the configuration has no targets",
    },
    "report.no_data": {"id": "tidak ada data", "en": "no data"},
    "report.col.section": {"id": "OPD / jaringan", "en": "Agency / network"},
    "report.col.availability": {"id": "Ketersediaan", "en": "Availability"},
    "report.col.verdict": {"id": "Penilaian", "en": "Verdict"},
    "report.verdict_line": {"id": "Penilaian: {verdict}", "en": "Verdict: {verdict}"},
    "report.unconfigured": {
        "id": "{count} target masih beralamat contoh dokumentasi (BELUM DIKONFIGURASI) dan tidak dihitung",
        "en": "{count} targets still have a documentation example address (UNCONFIGURED) and are not counted",
    },
    # Verdicts, as the glossary names them.
    "report.verdict.ready": {"id": "Siap", "en": "Ready"},
    "report.verdict.needs_improvement": {"id": "Perlu Perbaikan", "en": "Needs improvement"},
    "report.verdict.not_ready": {"id": "Belum Siap", "en": "Not ready"},
    # Sections.
    "report.section.executive": {
        "id": "Jaringan eksekutif (ruang kerja Bupati dan Wakil Bupati)",
        "en": "Executive network (regent's and vice-regent's offices)",
    },
    "report.section.server": {"id": "Server aplikasi", "en": "Application servers"},
    "report.section.server_group": {
        "id": "Server aplikasi · {group}",
        "en": "Application servers · {group}",
    },
    "report.kind.opd": {"id": "OPD", "en": "agency"},
    "report.kind.executive": {"id": "eksekutif", "en": "executive"},
    "report.kind.server": {"id": "server", "en": "server"},
    # Figures.
    "report.metric.targets": {"id": "Jumlah target", "en": "Targets"},
    "report.metric.coverage": {"id": "Cakupan data", "en": "Data coverage"},
    "report.metric.availability": {"id": "Ketersediaan", "en": "Availability"},
    "report.metric.incidents": {"id": "Jumlah gangguan", "en": "Incidents (down)"},
    "report.metric.downtime": {"id": "Total durasi gangguan", "en": "Total downtime"},
    "report.metric.longest_downtime": {
        "id": "Gangguan terlama",
        "en": "Longest downtime",
    },
    "report.metric.mttr": {
        "id": "Rata-rata waktu pemulihan (MTTR)",
        "en": "Mean time to recovery (MTTR)",
    },
    "report.metric.unreachable": {
        "id": "Durasi tidak terjangkau (induk padam)",
        "en": "Time unreachable (parent down)",
    },
    "report.metric.maintenance": {
        "id": "Durasi pemeliharaan",
        "en": "Time in maintenance",
    },
    "report.metric.unknown": {"id": "Durasi tanpa data", "en": "Time without data"},
    "report.metric.rtt_median": {"id": "RTT median", "en": "RTT median"},
    "report.metric.rtt_p95": {"id": "RTT p95", "en": "RTT p95"},
    "report.metric.loss": {"id": "Kehilangan paket", "en": "Packet loss"},
    "report.metric.uplink_p95": {
        "id": "Pemakaian bandwidth uplink p95",
        "en": "Uplink utilisation p95",
    },
    "report.metric.uplink_peak": {
        "id": "Pemakaian bandwidth uplink puncak",
        "en": "Uplink utilisation peak",
    },
    "report.metric.cpu_headroom": {"id": "Sisa kapasitas CPU", "en": "CPU headroom"},
    "report.metric.memory_headroom": {"id": "Sisa kapasitas memori", "en": "Memory headroom"},
    "report.metric.disk_headroom": {"id": "Sisa kapasitas disk", "en": "Disk headroom"},
    "report.metric.reboots": {
        "id": "Perangkat dinyalakan ulang",
        "en": "Reboots",
    },
    # Reasons of a verdict: a sentence with the value and the threshold.
    "report.reason.coverage": {
        "id": "data hanya {value} dari periode, di bawah minimum {threshold}",
        "en": "data only {value} of the period, under the minimum {threshold}",
    },
    "report.reason.availability_minimum": {
        "id": "ketersediaan {value} di bawah batas minimum {threshold}",
        "en": "availability {value} below the minimum {threshold}",
    },
    "report.reason.availability_ready": {
        "id": "ketersediaan {value} di bawah target {threshold}",
        "en": "availability {value} below the target {threshold}",
    },
    "report.reason.rtt_p95_limit": {
        "id": "RTT p95 {value} di atas batas {threshold}",
        "en": "RTT p95 {value} above the limit {threshold}",
    },
    "report.reason.rtt_p95_ready": {
        "id": "RTT p95 {value} di atas target {threshold}",
        "en": "RTT p95 {value} above the target {threshold}",
    },
    "report.reason.loss_limit": {
        "id": "kehilangan paket {value} di atas batas {threshold}",
        "en": "packet loss {value} above the limit {threshold}",
    },
    "report.reason.loss_ready": {
        "id": "kehilangan paket {value} di atas target {threshold}",
        "en": "packet loss {value} above the target {threshold}",
    },
    "report.reason.uplink_p95_limit": {
        "id": "pemakaian bandwidth uplink p95 {value} di atas batas {threshold}",
        "en": "uplink utilisation p95 {value} above the limit {threshold}",
    },
    "report.reason.uplink_p95_ready": {
        "id": "pemakaian bandwidth uplink p95 {value} di atas target {threshold}",
        "en": "uplink utilisation p95 {value} above the target {threshold}",
    },
    "report.reason.cpu_headroom_minimum": {
        "id": "sisa kapasitas CPU {value} di bawah batas minimum {threshold}",
        "en": "CPU headroom {value} below the minimum {threshold}",
    },
    "report.reason.cpu_headroom_ready": {
        "id": "sisa kapasitas CPU {value} di bawah target {threshold}",
        "en": "CPU headroom {value} below the target {threshold}",
    },
    "report.reason.memory_headroom_minimum": {
        "id": "sisa kapasitas memori {value} di bawah batas minimum {threshold}",
        "en": "memory headroom {value} below the minimum {threshold}",
    },
    "report.reason.memory_headroom_ready": {
        "id": "sisa kapasitas memori {value} di bawah target {threshold}",
        "en": "memory headroom {value} below the target {threshold}",
    },
    "report.reason.disk_headroom_minimum": {
        "id": "sisa kapasitas disk {value} di bawah batas minimum {threshold}",
        "en": "disk headroom {value} below the minimum {threshold}",
    },
    "report.reason.disk_headroom_ready": {
        "id": "sisa kapasitas disk {value} di bawah target {threshold}",
        "en": "disk headroom {value} below the target {threshold}",
    },
    "report.reason.isolation_breached": {
        "id": "isolasi jaringan eksekutif dilanggar: {subject} merespons selama {duration}, pertama kali {time}",
        "en": "executive network isolation breached: {subject} replied for {duration}, first at {time}",
    },
    "report.reason.isolation_no_data": {
        "id": "pemeriksaan isolasi {subject} tidak punya data pada periode ini",
        "en": "the isolation check {subject} has no data for this period",
    },
    # Uplinks and isolation checks of a section.
    "report.uplinks": {"id": "Uplink", "en": "Uplinks"},
    "report.uplink.configured": {
        "id": "{target} · {interface}: p95 {p95}, puncak {peak}",
        "en": "{target} · {interface}: p95 {p95}, peak {peak}",
    },
    "report.uplink.busiest": {
        "id": "{target} · {interface} (antarmuka tersibuk, uplink tidak dikonfigurasi): p95 {p95}, puncak {peak}",
        "en": "{target} · {interface} (busiest interface, no uplink configured): p95 {p95}, peak {peak}",
    },
    "report.uplink.missing": {
        "id": "{target} · {interface}: antarmuka uplink ini tidak ada di data SNMP periode ini; periksa snmp.uplink (p95 {p95}, puncak {peak})",
        "en": "{target} · {interface}: this uplink interface is not in the SNMP data of the period; check snmp.uplink (p95 {p95}, peak {peak})",
    },
    "report.isolation": {
        "id": "Pemeriksaan isolasi jaringan eksekutif",
        "en": "Executive network isolation checks",
    },
    "report.isolation.held": {
        "id": "{target}: isolasi terjaga sepanjang periode",
        "en": "{target}: isolation held for the whole period",
    },
    "report.isolation.breached": {
        "id": "{target}: isolasi jaringan eksekutif dilanggar selama {duration}, pertama kali {time}",
        "en": "{target}: executive network isolation breached for {duration}, first at {time}",
    },
    "report.isolation.no_data": {
        "id": "{target}: tidak ada data pemeriksaan pada periode ini",
        "en": "{target}: no check data for this period",
    },
    # Charts of the HTML page.
    "report.chart.availability": {
        "id": "Ketersediaan per OPD dan jaringan. Garis tegas: target {ready}; garis putus-putus: batas minimum {minimum}.",
        "en": "Availability per agency and network. Solid line: target {ready}; dashed line: minimum {minimum}.",
    },
    "report.chart.availability_label": {
        "id": "Grafik ketersediaan per OPD",
        "en": "Chart of availability per agency",
    },
    "report.chart.daily_availability": {
        "id": "Ketersediaan harian. Garis: target {ready}.",
        "en": "Daily availability. Line: target {ready}.",
    },
    "report.chart.daily_availability_label": {
        "id": "Grafik ketersediaan harian",
        "en": "Chart of daily availability",
    },
    "report.chart.daily_rtt": {
        "id": "RTT harian, median dan p95. Garis putus-putus: target {ready} dan batas {limit} untuk p95.",
        "en": "Daily RTT, median and p95. Dashed lines: target {ready} and limit {limit} for p95.",
    },
    "report.chart.daily_uplink": {
        "id": "Pemakaian bandwidth uplink p95 harian. Garis putus-putus: target {ready} dan batas {limit}.",
        "en": "Daily uplink utilisation p95. Dashed lines: target {ready} and limit {limit}.",
    },
    # CSV header.
    "report.csv.start": {"id": "awal_periode", "en": "period_start"},
    "report.csv.end": {"id": "akhir_periode", "en": "period_end"},
    "report.csv.section": {"id": "bagian", "en": "section"},
    "report.csv.kind": {"id": "jenis", "en": "kind"},
    "report.csv.metric": {"id": "metrik", "en": "metric"},
    "report.csv.value": {"id": "nilai", "en": "value"},
    "report.csv.unit": {"id": "satuan", "en": "unit"},
    "report.csv.verdict": {"id": "penilaian", "en": "verdict"},
    "report.csv.reason": {"id": "alasan", "en": "reason"},
    # Help of `pantau report`.
    "report.help.command": {
        "id": "buat laporan bulanan kesiapan infrastruktur per OPD dari riwayat",
        "en": "write the monthly readiness report per agency from the history",
    },
    "report.help.month": {
        "id": "bulan laporan, misalnya 2026-11 (bawaan: bulan lengkap sebelumnya)",
        "en": "month of the report, for example 2026-11 (default: the previous complete month)",
    },
    "report.help.since": {
        "id": "hari pertama periode, misalnya 2026-11-01; perlu --until",
        "en": "first day of the period, for example 2026-11-01; needs --until",
    },
    "report.help.until": {
        "id": "hari terakhir periode, ikut dihitung, misalnya 2026-11-15; perlu --since",
        "en": "last day of the period, included, for example 2026-11-15; needs --since",
    },
    "report.help.format": {
        "id": "format keluaran: text (terminal), csv (Excel) atau html (satu halaman A4 untuk dicetak)",
        "en": "output format: text (terminal), csv (Excel) or html (one A4 page for printing)",
    },
    "report.help.output": {
        "id": "tulis laporan ke BERKAS ini, bukan ke keluaran standar",
        "en": "write the report to this FILE instead of standard output",
    },
    "report.help.database": {
        "id": (
            "baca BERKAS basis data ini (misalnya salinan) alih-alih basis data "
            "di [daemon] database"
        ),
        "en": "read this database FILE (a copy, say) instead of [daemon] database",
    },
    "report.metavar.month": {"id": "TTTT-BB", "en": "YYYY-MM"},
    "report.metavar.date": {"id": "TANGGAL", "en": "DATE"},
    # Errors of `pantau report`.
    "report.error.bad_month": {
        "id": "bulan {value!r} tidak valid; tulis tahun dan bulan sebagai TTTT-BB, misalnya --month 2026-11",
        "en": "invalid month {value!r}; write the year and month as YYYY-MM, for example --month 2026-11",
    },
    "report.error.bad_date": {
        "id": "tanggal {value!r} untuk {option} tidak valid; tulis TTTT-BB-HH, misalnya {option} 2026-11-01",
        "en": "invalid date {value!r} for {option}; write YYYY-MM-DD, for example {option} 2026-11-01",
    },
    "report.error.month_and_dates": {
        "id": "--month tidak bisa dipakai bersama --since atau --until; pilih salah satu",
        "en": "--month cannot be used with --since or --until; choose one of them",
    },
    "report.error.dates_pair": {
        "id": "{given} perlu {missing}; beri keduanya, misalnya --since 2026-11-01 --until 2026-11-15",
        "en": "{given} needs {missing}; give both, for example --since 2026-11-01 --until 2026-11-15",
    },
    "report.error.since_after_until": {
        "id": "--since {since} jatuh setelah --until {until}; tukar kedua tanggal",
        "en": "--since {since} is after --until {until}; swap the two dates",
    },
    "report.error.future": {
        "id": "periode {period} belum dimulai (sekarang {now}); pilih periode yang sudah berjalan",
        "en": "the period {period} has not started yet (now {now}); choose a period that has begun",
    },
    "report.error.no_database": {
        "id": "basis data {path} belum ada; jalankan daemon (pantau run) agar riwayat terkumpul, atau periksa [daemon] database di {config}",
        "en": "the database {path} does not exist yet; run the daemon (pantau run) to collect history, or check [daemon] database in {config}",
    },
    "report.error.no_history": {
        "id": "basis data {path} belum berisi riwayat; biarkan daemon versi ini berjalan minimal satu jam penuh, lalu ulangi",
        "en": "the database {path} has no history yet; let the daemon of this version run for at least one full hour, then try again",
    },
    "report.error.no_history_period": {
        "id": "basis data {path} tidak punya riwayat untuk {period}; riwayat ada sampai {until}, pilih periode lain dengan --month atau --since/--until",
        "en": "the database {path} has no history for {period}; history runs up to {until}, choose another period with --month or --since/--until",
    },
    "report.error.output": {
        "id": "berkas keluaran {path} tidak bisa ditulis ({error}); periksa foldernya dan izin tulis, atau pilih berkas lain dengan -o",
        "en": "cannot write the output file {path} ({error}); check its folder and write permission, or choose another file with -o",
    },
    "report.error.database": {
        "id": "basis data {path} gagal dibaca ({error}); periksa berkas itu dan izin bacanya",
        "en": "failed to read the database {path} ({error}); check the file and its read permission",
    },
    # Service checks of the application servers (probes tcp, http, tls, dns).
    "report.services": {
        "id": "Pemeriksaan layanan",
        "en": "Service checks",
    },
    "report.service.check": {"id": "Pemeriksaan", "en": "Check"},
    "report.service.availability": {"id": "Ketersediaan layanan", "en": "Service availability"},
    "report.service.runs": {
        "id": "{availability} ({successes} dari {runs} pemeriksaan)",
        "en": "{availability} ({successes} of {runs} checks)",
    },
    "report.service.maintenance_runs": {
        "id": "{count} pemeriksaan saat pemeliharaan tidak dihitung",
        "en": "{count} checks during maintenance not counted",
    },
    "report.service.response_median": {
        "id": "Waktu respons median",
        "en": "Response time median",
    },
    "report.service.response_p95": {"id": "Waktu respons p95", "en": "Response time p95"},
    "report.service.failures": {"id": "Kegagalan terbanyak", "en": "Most frequent failures"},
    "report.service.no_failures": {"id": "tidak ada", "en": "none"},
    "report.service.certificate": {"id": "Sertifikat berakhir", "en": "Certificate expires"},
    "report.service.cert_days": {
        "id": "{date} (sisa {days} pada akhir periode)",
        "en": "{date} ({days} left at the end of the period)",
    },
    "report.service.cert_expired": {
        "id": "{date} (sudah berakhir pada akhir periode)",
        "en": "{date} (expired by the end of the period)",
    },
    "report.reason.service_availability_minimum": {
        "id": "ketersediaan layanan {probe} {value} di bawah batas minimum {threshold}",
        "en": "{probe} service availability {value} below the minimum {threshold}",
    },
    "report.reason.service_availability_ready": {
        "id": "ketersediaan layanan {probe} {value} di bawah target {threshold}",
        "en": "{probe} service availability {value} below the target {threshold}",
    },
    "report.reason.response_p95_limit": {
        "id": "p95 waktu respons {probe} {value} di atas batas {threshold}",
        "en": "{probe} response time p95 {value} above the limit {threshold}",
    },
    "report.reason.response_p95_ready": {
        "id": "p95 waktu respons {probe} {value} di atas target {threshold}",
        "en": "{probe} response time p95 {value} above the target {threshold}",
    },
    "report.reason.cert_days_minimum": {
        "id": "sertifikat {probe} berakhir {date}, sisa {value} pada akhir periode, di bawah minimum {threshold}",
        "en": "{probe} certificate expires {date}, {value} left at the end of the period, under the minimum {threshold}",
    },
    "report.reason.cert_expired": {
        "id": "sertifikat {probe} berakhir {date}, sebelum akhir periode",
        "en": "{probe} certificate expires {date}, before the end of the period",
    },
    "report.unit.day": {"id": "{count} hari", "en": "{count} day"},
    "report.unit.days": {"id": "{count} hari", "en": "{count} days"},
}
