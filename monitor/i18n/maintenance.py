"""Texts of `pantau maintenance`: help, the window list and every error of add and remove."""

from __future__ import annotations

MESSAGES: dict[str, dict[str, str]] = {
    # Help texts.
    "maintenance.help.command": {
        "id": "kelola jadwal pemeliharaan yang disimpan di basis data",
        "en": "manage the maintenance windows kept in the database",
    },
    "maintenance.help.add": {
        "id": "tambah jadwal pemeliharaan sekali jalan atau berulang",
        "en": "add a one-off or recurring maintenance window",
    },
    "maintenance.help.list": {
        "id": "tampilkan jadwal pemeliharaan dari konfigurasi dan basis data",
        "en": "list the maintenance windows of the configuration and the database",
    },
    "maintenance.help.remove": {
        "id": "hapus jadwal pemeliharaan yang ditambahkan dengan pantau maintenance add",
        "en": "remove a maintenance window added with pantau maintenance add",
    },
    "maintenance.help.target": {
        "id": "nama target dalam cakupan (boleh diulang)",
        "en": "name of a target in scope (repeatable)",
    },
    "maintenance.help.group": {
        "id": "nama grup (OPD) dalam cakupan; semua targetnya ikut (boleh diulang)",
        "en": "name of a group (agency) in scope, with all its targets (repeatable)",
    },
    "maintenance.help.network": {
        "id": "nama jaringan dalam cakupan, misalnya opd; semua targetnya ikut (boleh diulang)",
        "en": "name of a network in scope, for example opd, with all its targets (repeatable)",
    },
    "maintenance.help.start": {
        "id": 'waktu mulai di zona waktu konfigurasi, misalnya "2026-12-05 22:00" (bawaan: sekarang)',
        "en": 'start time in the configured time zone, for example "2026-12-05 22:00" (default: now)',
    },
    "maintenance.help.end": {
        "id": 'waktu selesai di zona waktu konfigurasi, misalnya "2026-12-06 02:00"',
        "en": 'end time in the configured time zone, for example "2026-12-06 02:00"',
    },
    "maintenance.help.duration": {
        "id": "lama jadwal, misalnya 90m, 2h atau 1h30m (1 menit sampai 366 hari)",
        "en": "length of the window, for example 90m, 2h or 1h30m (1 minute to 366 days)",
    },
    "maintenance.help.cron": {
        "id": 'jadwal berulang dalam format crontab di zona waktu konfigurasi, misalnya "0 22 * * sat" (tiap Sabtu 22.00); perlu --duration',
        "en": 'recurring schedule in crontab format in the configured time zone, for example "0 22 * * sat" (Saturdays at 22:00); needs --duration',
    },
    "maintenance.help.reason": {
        "id": "alasan pemeliharaan, tampil di daftar dan notifikasi (wajib)",
        "en": "reason for the maintenance, shown in the list and in notifications (required)",
    },
    "maintenance.help.all": {
        "id": "tampilkan juga jadwal sekali jalan yang sudah lewat dan jadwal yang dihapus",
        "en": "also show one-off windows that are over and removed windows",
    },
    "maintenance.help.json": {"id": "keluaran JSON", "en": "JSON output"},
    "maintenance.help.id": {
        "id": "ID jadwal dari pantau maintenance list, misalnya db:3",
        "en": "window ID from pantau maintenance list, for example db:3",
    },
    "maintenance.metavar.action": {"id": "TINDAKAN", "en": "ACTION"},
    "maintenance.metavar.name": {"id": "NAMA", "en": "NAME"},
    "maintenance.metavar.time": {"id": "WAKTU", "en": "TIME"},
    "maintenance.metavar.duration": {"id": "DURASI", "en": "DURATION"},
    "maintenance.metavar.text": {"id": "TEKS", "en": "TEXT"},
    # Errors of add: exit code 2.
    "maintenance.no_scope": {
        "id": "cakupan jadwal belum ditentukan; beri minimal satu --target, --group atau --network",
        "en": "the window has no scope; give at least one --target, --group or --network",
    },
    "maintenance.unknown_target": {
        "id": "target {name!r} tidak ada di {file}; yang paling mirip: {close}",
        "en": "target {name!r} is not in {file}; closest name: {close}",
    },
    "maintenance.unknown_group": {
        "id": "grup {name!r} tidak ada di {file}; yang paling mirip: {close}",
        "en": "group {name!r} is not in {file}; closest name: {close}",
    },
    "maintenance.unknown_network": {
        "id": "jaringan {name!r} tidak ada di {file}; yang paling mirip: {close}",
        "en": "network {name!r} is not in {file}; closest name: {close}",
    },
    "maintenance.no_suggestion": {"id": "tidak ada", "en": "none"},
    "maintenance.reason_missing": {
        "id": 'alasan belum diisi; tambahkan --reason, misalnya --reason "Penggantian router inti"',
        "en": 'the reason is missing; add --reason, for example --reason "Core router replacement"',
    },
    "maintenance.reason_too_long": {
        "id": "alasan terlalu panjang: {length} karakter, maksimum {limit}",
        "en": "the reason is too long: {length} characters, at most {limit}",
    },
    "maintenance.schedule_missing": {
        "id": "waktu jadwal belum ditentukan; beri --start dengan --end atau --duration, --duration saja (mulai sekarang), atau --cron dengan --duration",
        "en": "the window has no time; give --start with --end or --duration, --duration alone (starting now), or --cron with --duration",
    },
    "maintenance.cron_with_start": {
        "id": "--cron tidak bisa digabung dengan --start atau --end; jadwal berulang memakai --cron dan --duration",
        "en": "--cron cannot be combined with --start or --end; a recurring window takes --cron and --duration",
    },
    "maintenance.cron_needs_duration": {
        "id": '--cron memerlukan --duration, misalnya --cron "0 22 * * sat" --duration 4h',
        "en": '--cron needs --duration, for example --cron "0 22 * * sat" --duration 4h',
    },
    "maintenance.end_and_duration": {
        "id": "--end dan --duration tidak bisa dipakai bersamaan; pilih salah satu",
        "en": "--end and --duration cannot be used together; choose one",
    },
    "maintenance.bad_time": {
        "id": 'waktu {option} {value!r} tidak valid; tulis TAHUN-BULAN-TANGGAL JAM:MENIT di zona waktu {timezone}, misalnya "2026-12-05 22:00"',
        "en": 'invalid time {option} {value!r}; write YEAR-MONTH-DAY HOUR:MINUTE in the time zone {timezone}, for example "2026-12-05 22:00"',
    },
    "maintenance.nonexistent_time": {
        "id": "waktu {option} {value!r} tidak ada di zona waktu {timezone} karena jam dimajukan pada saat itu; pilih waktu lain",
        "en": "the time {option} {value!r} does not exist in the time zone {timezone} because the clocks go forward then; choose another time",
    },
    "maintenance.bad_duration": {
        "id": 'durasi {value!r} tidak valid; tulis angka dengan satuan, misalnya "90m", "2h" atau "1h30m"',
        "en": 'invalid duration {value!r}; write a number with a unit, for example "90m", "2h" or "1h30m"',
    },
    "maintenance.window_endless": {
        "id": (
            "--duration {value} tidak lebih pendek dari jarak terpanjang antar-mulai --cron {cron!r} "
            "({gap}), sehingga jadwal ini tidak pernah berakhir; perpendek --duration atau "
            "ubah --cron agar lebih jarang"
        ),
        "en": (
            "--duration {value} is not shorter than the longest gap between starts of --cron {cron!r} "
            "({gap}), so this window never ends; shorten --duration or make --cron fire less "
            "often"
        ),
    },
    "maintenance.duration_out_of_range": {
        "id": "durasi {value!r} di luar batas; harus antara {minimum} dan {maximum}",
        "en": "duration {value!r} is out of range; it must be between {minimum} and {maximum}",
    },
    "maintenance.end_before_start": {
        "id": "waktu selesai {end} tidak setelah waktu mulai {start}",
        "en": "the end {end} is not after the start {start}",
    },
    "maintenance.end_in_past": {
        "id": "waktu selesai {end} sudah lewat, jadi jadwal ini tidak akan berlaku; periksa tanggalnya",
        "en": "the end {end} is already past, so this window would never apply; check the date",
    },
    "maintenance.bad_cron.field_count": {
        "id": 'ekspresi cron {cron!r} memuat {count} kolom, harus 5 (menit jam tanggal bulan hari), misalnya "0 22 * * sat"',
        "en": 'the cron expression {cron!r} has {count} fields, expected 5 (minute hour day month weekday), for example "0 22 * * sat"',
    },
    "maintenance.bad_cron.field": {
        "id": "ekspresi cron {cron!r}: kolom {field} {value!r} tidak valid",
        "en": "cron expression {cron!r}: invalid {field} field {value!r}",
    },
    "maintenance.bad_cron.never": {
        "id": "ekspresi cron {cron!r} tidak pernah terjadi dalam 9 tahun ke depan (misalnya tanggal 30 Februari); periksa tanggal dan bulannya",
        "en": "the cron expression {cron!r} never fires within the next 9 years (30 February, for example); check its day and month",
    },
    "maintenance.cron_field.minute": {"id": "menit (0-59)", "en": "minute (0-59)"},
    "maintenance.cron_field.hour": {"id": "jam (0-23)", "en": "hour (0-23)"},
    "maintenance.cron_field.day": {"id": "tanggal (1-31)", "en": "day of month (1-31)"},
    "maintenance.cron_field.month": {
        "id": "bulan (1-12 atau jan-dec)",
        "en": "month (1-12 or jan-dec)",
    },
    "maintenance.cron_field.day_of_week": {
        "id": "hari (0-7 atau sun-sat; 0 dan 7 adalah Minggu)",
        "en": "day of week (0-7 or sun-sat; 0 and 7 are Sunday)",
    },
    # Errors of remove: exit code 1.
    "maintenance.not_found": {
        "id": "jadwal pemeliharaan {id!r} tidak ditemukan; lihat daftarnya dengan: pantau maintenance list --all",
        "en": "maintenance window {id!r} not found; to list the windows: pantau maintenance list --all",
    },
    "maintenance.already_removed": {
        "id": "jadwal pemeliharaan {id} sudah dihapus pada {removed} oleh {user}",
        "en": "maintenance window {id} was already removed on {removed} by {user}",
    },
    "maintenance.config_window": {
        "id": "jadwal pemeliharaan {id!r} berasal dari berkas konfigurasi {file}; hapus jadwal itu dari berkas tersebut, lalu minta daemon memuat ulang konfigurasinya dengan sinyal SIGHUP (systemctl kill --signal=HUP pantau)",
        "en": "maintenance window {id!r} comes from the configuration file {file}; remove it from that file, then make the daemon reload its configuration with SIGHUP (systemctl kill --signal=HUP pantau)",
    },
    # Database errors: exit code 2.
    "maintenance.database_busy": {
        "id": "basis data {path} masih terkunci oleh proses lain setelah {seconds} detik; jadwal tidak diubah, coba lagi nanti",
        "en": "the database {path} was still locked by another process after {seconds} seconds; nothing was changed, try again later",
    },
    # Results.
    "maintenance.added": {
        "id": "jadwal pemeliharaan {id} ditambahkan untuk {scope}",
        "en": "maintenance window {id} added for {scope}",
    },
    "maintenance.added.one_off": {
        "id": "mulai {start}, selesai {end}",
        "en": "starts {start}, ends {end}",
    },
    "maintenance.added.recurring": {
        "id": 'berulang "{cron}" selama {duration}; berikutnya mulai {start}, selesai {end}',
        "en": 'recurring "{cron}" for {duration}; next starts {start}, ends {end}',
    },
    "maintenance.removed": {
        "id": "jadwal pemeliharaan {id} dihapus",
        "en": "maintenance window {id} removed",
    },
    # pantau maintenance list
    "maintenance.list.empty": {
        "id": "tidak ada jadwal pemeliharaan",
        "en": "no maintenance windows",
    },
    "maintenance.list.hidden": {
        "id": "{count} jadwal yang sudah lewat atau dihapus tidak ditampilkan; tampilkan dengan --all",
        "en": "{count} windows that are over or removed are not shown; show them with --all",
    },
    "maintenance.list.active": {
        "id": "{id}  AKTIF sampai {end}",
        "en": "{id}  ACTIVE until {end}",
    },
    "maintenance.list.waiting": {"id": "{id}  belum aktif", "en": "{id}  not active"},
    "maintenance.list.over": {"id": "{id}  sudah lewat", "en": "{id}  over"},
    "maintenance.list.removed": {
        "id": "{id}  dihapus pada {removed} oleh {user}",
        "en": "{id}  removed on {removed} by {user}",
    },
    "maintenance.list.scope": {"id": "    cakupan: {scope}", "en": "    scope: {scope}"},
    "maintenance.list.schedule": {"id": "    jadwal: {schedule}", "en": "    schedule: {schedule}"},
    "maintenance.list.reason": {"id": "    alasan: {reason}", "en": "    reason: {reason}"},
    "maintenance.list.next": {
        "id": "    mulai berikutnya: {start}",
        "en": "    next start: {start}",
    },
    "maintenance.list.source_config": {
        "id": "    sumber: berkas konfigurasi {file}",
        "en": "    source: configuration file {file}",
    },
    "maintenance.list.source_database": {
        "id": "    sumber: ditambahkan oleh {user} pada {created}",
        "en": "    source: added by {user} on {created}",
    },
    "maintenance.schedule.one_off": {
        "id": "{start} sampai {end}",
        "en": "{start} to {end}",
    },
    "maintenance.schedule.recurring": {
        "id": 'berulang "{cron}" ({timezone}) selama {duration}',
        "en": 'recurring "{cron}" ({timezone}) for {duration}',
    },
    "maintenance.scope.targets": {"id": "target {names}", "en": "targets {names}"},
    "maintenance.scope.groups": {"id": "grup {names}", "en": "groups {names}"},
    "maintenance.scope.networks": {"id": "jaringan {names}", "en": "networks {names}"},
    "maintenance.none": {"id": "tidak ada", "en": "none"},
    "maintenance.unknown_user": {"id": "(tidak diketahui)", "en": "(unknown)"},
}
