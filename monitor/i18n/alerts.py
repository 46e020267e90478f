"""Texts of the chat alerts: event blocks, causes, the test message and the daily summary."""

MESSAGES = {
    # Headings of an event block, one per event kind. A reminder names the
    # status it repeats with a short status word from alert.status.*.
    "alert.kind.down": {"id": "GANGGUAN", "en": "DOWN"},
    "alert.kind.recovered": {"id": "PULIH", "en": "RECOVERED"},
    "alert.kind.degraded": {"id": "MENURUN", "en": "DEGRADED"},
    "alert.kind.isolation_breached": {
        "id": "ISOLASI JARINGAN EKSEKUTIF DILANGGAR",
        "en": "EXECUTIVE NETWORK ISOLATION BREACHED",
    },
    "alert.kind.flapping_started": {"id": "TIDAK STABIL", "en": "FLAPPING"},
    "alert.kind.flapping_stopped": {"id": "STABIL KEMBALI", "en": "STABLE AGAIN"},
    "alert.kind.reminder": {"id": "MASIH {status}", "en": "STILL {status}"},
    "alert.kind.cert_expiring": {
        "id": "SERTIFIKAT SEGERA BERAKHIR",
        "en": "CERTIFICATE EXPIRING",
    },
    "alert.kind.cert_renewed": {"id": "SERTIFIKAT DIPERBARUI", "en": "CERTIFICATE RENEWED"},
    # Certificate notices: "Sertifikat (pemeriksaan https) berakhir 15 Desember 2026 ...".
    "alert.certificate.expires": {
        "id": "Sertifikat (pemeriksaan {probe}) berakhir {time}, {days} lagi",
        "en": "Certificate (the {probe} check) expires {time}, in {days}",
    },
    "alert.certificate.renew": {
        "id": "Perbarui sertifikat sebelum tanggal itu; setelahnya layanan dianggap GANGGUAN",
        "en": "Renew the certificate before that date; after it the service counts as DOWN",
    },
    "alert.certificate.renewed": {
        "id": "Sertifikat baru terpasang (pemeriksaan {probe})",
        "en": "A new certificate is in place (the {probe} check)",
    },
    "alert.certificate.valid_until": {
        "id": "Berlaku sampai: {time}",
        "en": "Valid until: {time}",
    },
    "alert.certificate.check": {
        "id": "Pemeriksaan {probe}",
        "en": "The {probe} check",
    },
    # Short status words for headings; the full names are the status.* keys.
    "alert.status.down": {"id": "GANGGUAN", "en": "DOWN"},
    "alert.status.degraded": {"id": "MENURUN", "en": "DEGRADED"},
    # Headline of a message with several events: "5 notifikasi: 2 GANGGUAN · 3 PULIH".
    "alert.headline": {
        "id": "{count} notifikasi: {counts}",
        "en": "{count} notifications: {counts}",
    },
    "alert.headline.item": {"id": "{count} {kind}", "en": "{count} {kind}"},
    # Lines of an event block.
    "alert.network": {"id": "jaringan {network}", "en": "network {network}"},
    "alert.cause": {"id": "Penyebab: {cause}", "en": "Cause: {cause}"},
    "alert.since": {"id": "Mulai: {time}", "en": "Since: {time}"},
    "alert.duration": {"id": "Durasi: {duration}", "en": "Duration: {duration}"},
    "alert.previous": {
        "id": "Sebelumnya: {status} sejak {time}",
        "en": "Before: {status} since {time}",
    },
    "alert.after_maintenance": {
        "id": "Terdeteksi setelah jadwal pemeliharaan berakhir",
        "en": "Detected when a maintenance window ended",
    },
    "alert.reminder": {
        "id": "Masih {status} sejak {time}, sudah {duration}",
        "en": "Still {status} since {time}, for {duration} now",
    },
    "alert.isolation_cause": {
        "id": "alamat yang harus terisolasi merespons dari jaringan tempat Pantau berjalan",
        "en": "an address that must stay isolated responded from the network Pantau runs in",
    },
    "alert.flapping": {
        "id": "Status berganti-ganti terus; notifikasi target ini ditahan sampai stabil",
        "en": "The status keeps changing; notifications for this target are held until it is stable",
    },
    "alert.status_now": {"id": "Status sekarang: {status}", "en": "Status now: {status}"},
    "alert.children_down.one": {
        "id": "{count} target tidak terjangkau di belakangnya: {names}",
        "en": "{count} target unreachable behind it: {names}",
    },
    "alert.children_down.other": {
        "id": "{count} target tidak terjangkau di belakangnya: {names}",
        "en": "{count} targets unreachable behind it: {names}",
    },
    "alert.children_recovered.one": {
        "id": (
            "{count} target di belakangnya tadi tidak terjangkau: {names}; "
            "yang masih gangguan akan diberitahukan tersendiri"
        ),
        "en": (
            "{count} target behind it was unreachable: {names}; "
            "one still failing gets its own alert"
        ),
    },
    "alert.children_recovered.other": {
        "id": (
            "{count} target di belakangnya tadi tidak terjangkau: {names}; "
            "yang masih gangguan akan diberitahukan tersendiri"
        ),
        "en": (
            "{count} targets behind it were unreachable: {names}; "
            "any still failing gets its own alert"
        ),
    },
    "alert.more": {"id": "dan {count} lainnya", "en": "and {count} more"},
    # Threshold causes: "kehilangan paket 40 % (batas 20 %)".
    "alert.metric.loss": {"id": "kehilangan paket", "en": "packet loss"},
    "alert.metric.rtt": {"id": "latensi", "en": "latency"},
    "alert.metric.utilisation": {"id": "pemakaian bandwidth", "en": "bandwidth utilisation"},
    "alert.metric.cpu": {"id": "beban CPU", "en": "CPU load"},
    "alert.metric.memory": {"id": "pemakaian memori", "en": "memory used"},
    "alert.metric.disk": {"id": "pemakaian disk", "en": "disk used"},
    "alert.metric.response": {"id": "waktu respons layanan", "en": "service response time"},
    "alert.metric.cert_expiry": {
        "id": "sisa masa berlaku sertifikat",
        "en": "certificate validity left",
    },
    "alert.figure": {
        "id": "{metric} {value} (batas {limit})",
        "en": "{metric} {value} (limit {limit})",
    },
    "alert.figure.no_limit": {"id": "{metric} {value}", "en": "{metric} {value}"},
    "alert.figure.no_value": {"id": "{metric} melewati batas", "en": "{metric} over its limit"},
    # Units; Indonesian puts a space before the percent sign.
    "alert.unit.percent": {"id": "{number} %", "en": "{number}%"},
    "alert.unit.milliseconds": {"id": "{number} ms", "en": "{number} ms"},
    "alert.unit.seconds": {"id": "{number} detik", "en": "{number} s"},
    # Date and time with the zone's abbreviation: "4 Desember 2026 22.15 WIB".
    "alert.time": {"id": "{date} {time} {zone}", "en": "{date} {time} {zone}"},
    # pantau notify-test
    "alert.test.heading": {"id": "PESAN UJI", "en": "TEST MESSAGE"},
    "alert.test.body": {
        "id": "Kanal {channel} menerima notifikasi Pantau.",
        "en": "Channel {channel} receives Pantau's notifications.",
    },
    "alert.test.sent": {"id": "Dikirim: {time}", "en": "Sent: {time}"},
    # Daily summary.
    "alert.summary.heading": {"id": "RINGKASAN HARIAN", "en": "DAILY SUMMARY"},
    "alert.summary.totals": {
        "id": "{up} dari {total} target NORMAL",
        "en": "{up} of {total} targets UP",
    },
    "alert.summary.incidents": {
        "id": "Gangguan dalam 24 jam terakhir: {count}",
        "en": "Incidents in the last 24 hours: {count}",
    },
    "alert.summary.section": {"id": "{status}: {count}", "en": "{status}: {count}"},
    "alert.summary.since": {"id": "sejak {time}", "en": "since {time}"},
    # Sample page written by "python -m monitor.alerts.render --samples".
    "alert.samples.title": {"id": "Contoh pesan peringatan", "en": "Alert message samples"},
    "alert.samples.intro": {
        "id": "Halaman ini dibuat oleh `python -m monitor.alerts.render --samples --lang id`; jangan disunting manual. Setiap contoh ditampilkan sebagai teks biasa, seperti yang dikirim ke kanal e-mail atau webhook JSON. Telegram menampilkan judul dan nama target dengan huruf tebal. Waktu memakai zona waktu dari konfigurasi (di sini Asia/Jakarta, WIB).",
        "en": "This page is written by `python -m monitor.alerts.render --samples --lang en`; do not edit it by hand. Each sample is shown as plain text, as e-mail and JSON webhook channels receive it. Telegram shows headings and target names in bold. Times are in the configured time zone (here Asia/Jakarta, WIB).",
    },
    "alert.samples.language.id": {"id": "Bahasa Indonesia", "en": "Indonesian"},
    "alert.samples.language.en": {"id": "Bahasa Inggris", "en": "English"},
    "alert.samples.down": {"id": "Target gangguan", "en": "Target down"},
    "alert.samples.service_down": {
        "id": "Layanan aplikasi gangguan (status HTTP tidak sesuai)",
        "en": "Application service down (unexpected HTTP status)",
    },
    "alert.samples.cert_expiring": {
        "id": "Sertifikat TLS segera berakhir",
        "en": "TLS certificate expiring soon",
    },
    "alert.samples.recovered": {"id": "Target pulih", "en": "Target recovered"},
    "alert.samples.parent": {
        "id": "Induk gangguan dengan tiga target di belakangnya",
        "en": "Parent down with three targets behind it",
    },
    "alert.samples.degraded": {"id": "Target menurun", "en": "Target degraded"},
    "alert.samples.isolation": {
        "id": "Isolasi jaringan eksekutif dilanggar",
        "en": "Executive network isolation breached",
    },
    "alert.samples.flapping_started": {"id": "Status tidak stabil", "en": "Flapping started"},
    "alert.samples.flapping_stopped": {"id": "Status stabil kembali", "en": "Flapping stopped"},
    "alert.samples.reminder": {"id": "Pengingat", "en": "Reminder"},
    "alert.samples.after_maintenance": {
        "id": "Gangguan terdeteksi setelah jadwal pemeliharaan",
        "en": "Down when a maintenance window ended",
    },
    "alert.samples.group": {
        "id": "Beberapa kejadian dalam satu pesan",
        "en": "Several events in one message",
    },
    "alert.samples.test": {
        "id": "Pesan uji (pantau notify-test)",
        "en": "Test message (pantau notify-test)",
    },
    "alert.samples.summary": {"id": "Ringkasan harian", "en": "Daily summary"},
}
