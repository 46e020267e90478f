"""Texts of the command line, the daemon's start-up errors, statuses and probe reasons."""

MESSAGES = {
    # Statuses, as the glossary names them.
    "status.up": {"id": "NORMAL", "en": "UP"},
    "status.down": {"id": "GANGGUAN (tidak merespons)", "en": "DOWN (not responding)"},
    "status.degraded": {"id": "MENURUN", "en": "DEGRADED"},
    "status.unreachable": {"id": "TIDAK TERJANGKAU", "en": "UNREACHABLE"},
    "status.maintenance": {"id": "PEMELIHARAAN", "en": "MAINTENANCE"},
    "status.unconfigured": {"id": "BELUM DIKONFIGURASI", "en": "UNCONFIGURED"},
    # Probe reasons.
    "reason.ok": {"id": "merespons", "en": "responding"},
    "reason.no_reply": {
        "id": "tidak ada balasan dalam batas waktu",
        "en": "no reply within the timeout",
    },
    "reason.dns_not_found": {
        "id": "nama host tidak ditemukan di DNS; periksa ejaan alamat",
        "en": "host name does not exist in DNS; check the spelling of the address",
    },
    "reason.dns_temporary": {
        "id": "DNS gagal sementara; periksa server DNS mesin ini",
        "en": "temporary DNS failure; check this machine's DNS server",
    },
    "reason.no_route": {
        "id": "tidak ada rute dari mesin ini ke alamat tersebut (kesalahan lokal, bukan kehilangan paket)",
        "en": "no route from this machine to that address (a local error, not packet loss)",
    },
    "reason.send_error": {
        "id": "paket gagal dikirim dari mesin ini",
        "en": "the packet could not be sent from this machine",
    },
    "reason.probe_timeout": {
        "id": "pemeriksaan dihentikan karena melewati batas waktunya",
        "en": "the probe run was cut off at its time limit",
    },
    "reason.unconfigured": {
        "id": "alamat contoh dokumentasi; ganti dengan alamat sebenarnya, tidak ada paket dikirim",
        "en": "documentation example address; replace it with the real one, no packet sent",
    },
    "reason.bad_address": {
        "id": "nama host ini mengarah ke alamat tak tertentu, broadcast atau multicast; tidak ada paket dikirim",
        "en": "this host name points to an unspecified, broadcast or multicast address; no packet sent",
    },
    "reason.connect_refused": {
        "id": "koneksi ditolak: tidak ada layanan yang mendengarkan di port itu",
        "en": "connection refused: no service is listening on that port",
    },
    "reason.connect_timeout": {
        "id": "koneksi tidak dijawab dalam batas waktu (port difilter atau host mati)",
        "en": "no answer to the connection within the timeout (port filtered or host off)",
    },
    "reason.response_timeout": {
        "id": "terhubung, tetapi jawaban tidak datang lengkap dalam batas waktu",
        "en": "connected, but no complete answer within the timeout",
    },
    "reason.connection_closed": {
        "id": "server menutup koneksi sebelum menjawab",
        "en": "the server closed the connection before answering",
    },
    "reason.tls_handshake_failed": {
        "id": "jabat tangan TLS gagal (versi, cipher atau peringatan dari server)",
        "en": "TLS handshake failed (version, cipher or an alert from the server)",
    },
    "reason.cert_expired": {
        "id": "sertifikat sudah kedaluwarsa atau belum berlaku; perbarui sertifikat",
        "en": "the certificate has expired or is not valid yet; renew it",
    },
    "reason.cert_untrusted": {
        "id": "sertifikat tidak dipercaya (self-signed atau CA tidak dikenal); periksa ca_file",
        "en": "the certificate is not trusted (self-signed or unknown CA); check ca_file",
    },
    "reason.cert_hostname_mismatch": {
        "id": "sertifikat dibuat untuk nama lain, bukan nama host layanan",
        "en": "the certificate is for another name than the service's host name",
    },
    "reason.cert_invalid": {
        "id": "sertifikat tidak sah; lihat rinciannya dengan pantau probe",
        "en": "the certificate is invalid; see the details with pantau probe",
    },
    "reason.unexpected_status": {
        "id": "kode status HTTP tidak sesuai yang diharapkan",
        "en": "the HTTP status code is not an expected one",
    },
    "reason.content_mismatch": {
        "id": "isi halaman tidak sesuai: teks yang diharapkan tidak ada atau teks terlarang muncul",
        "en": "the page content does not match: an expected text is missing or a rejected one appears",
    },
    "reason.too_many_redirects": {
        "id": "terlalu banyak pengalihan (redirect); naikkan max_redirects atau periksa URL",
        "en": "too many redirects; raise max_redirects or check the URL",
    },
    "reason.redirect_loop": {
        "id": "pengalihan (redirect) berputar kembali ke alamat yang sama",
        "en": "the redirects loop back to an address already visited",
    },
    "reason.redirect_refused": {
        "id": "server mengalihkan ke nama contoh atau alamat dokumentasi; pengalihan tidak diikuti, periksa alamat dasar aplikasi",
        "en": "the server redirects to an example name or documentation address; not followed, check the application's base URL",
    },
    "reason.protocol_error": {
        "id": "jawaban server tidak sesuai protokol",
        "en": "the server's answer does not follow the protocol",
    },
    "reason.banner_mismatch": {
        "id": "balasan pertama layanan TCP tidak sesuai yang diharapkan",
        "en": "the TCP service's first reply is not the expected one",
    },
    "reason.dns_wrong_answer": {
        "id": "server DNS menjawab dengan rekaman yang berbeda dari yang diharapkan",
        "en": "the DNS server answered with records other than the expected ones",
    },
    "reason.dns_no_records": {
        "id": "nama ada di DNS, tetapi tidak punya rekaman jenis itu",
        "en": "the name exists in DNS but has no record of that type",
    },
    "reason.dns_server_error": {
        "id": "server DNS menjawab dengan galat (SERVFAIL atau REFUSED)",
        "en": "the DNS server answered with an error (SERVFAIL or REFUSED)",
    },
    "reason.dns_timeout": {
        "id": "server DNS tidak menjawab dalam batas waktu",
        "en": "the DNS server did not answer within the timeout",
    },
    "reason.response": {
        "id": "waktu respons layanan melewati batas",
        "en": "service response time over its limit",
    },
    "reason.cert_expiry": {
        "id": "sertifikat segera berakhir",
        "en": "the certificate expires soon",
    },
    "reason.internal_error": {
        "id": "kesalahan internal Pantau; lihat log",
        "en": "internal error in Pantau; see the log",
    },
    # The STATUS line that systemctl status shows.
    "daemon.systemd_status": {
        "id": (
            "{targets} target: {up} NORMAL, {down} GANGGUAN, {degraded} MENURUN, "
            "{unreachable} TIDAK TERJANGKAU; {pending} notifikasi tertunda"
        ),
        "en": (
            "{targets} targets: {up} up, {down} down, {degraded} degraded, "
            "{unreachable} unreachable; {pending} notifications pending"
        ),
    },
    # Reasons the status board gives.
    "reason.parent_down": {
        "id": "perangkat induknya sedang GANGGUAN",
        "en": "its parent device is down",
    },
    "reason.maintenance": {
        "id": "dalam jadwal pemeliharaan",
        "en": "in a maintenance window",
    },
    "reason.isolation_breached": {
        "id": "alamat yang harus terisolasi menjawab; isolasi jaringan eksekutif dilanggar",
        "en": "an address that must stay isolated replied; executive network isolation breached",
    },
    # pantau probe
    "probe.header": {
        "id": "{target:<24} {status:<22} {address:<28} {sent:>7} {received:>7} {loss:>10} {rtt:>24}",
        "en": "{target:<24} {status:<22} {address:<28} {sent:>7} {received:>7} {loss:>10} {rtt:>24}",
    },
    "probe.col.target": {"id": "TARGET", "en": "TARGET"},
    "probe.col.status": {"id": "HASIL", "en": "RESULT"},
    "probe.col.address": {"id": "ALAMAT", "en": "ADDRESS"},
    "probe.col.sent": {"id": "KIRIM", "en": "SENT"},
    "probe.col.received": {"id": "TERIMA", "en": "RECEIVED"},
    "probe.col.loss": {"id": "HILANG", "en": "LOSS"},
    "probe.col.rtt": {"id": "RTT min/median/maks (ms)", "en": "RTT min/median/max (ms)"},
    # pantau probe, application-service checks.
    "probe.service.heading": {
        "id": "{target} · {probe} {what}: {verdict} ({total})",
        "en": "{target} · {probe} {what}: {verdict} ({total})",
    },
    "probe.service.reason": {"id": "Penyebab: {reason}", "en": "Cause: {reason}"},
    "probe.service.message": {
        "id": "Catatan log (bahasa Inggris): {message}",
        "en": "Log note: {message}",
    },
    "probe.service.summary": {
        "id": "Pemeriksaan layanan: {ok} berhasil, {failed} gagal, {unconfigured} belum dikonfigurasi (tidak dikirimi paket)",
        "en": "Service checks: {ok} passed, {failed} failed, {unconfigured} unconfigured (no packet sent)",
    },
    "probe.http.answer": {
        "id": "Status {status} · {version} · {redirects} pengalihan · {size} byte · ke {address}",
        "en": "Status {status} · {version} · {redirects} redirects · {size} bytes · to {address}",
    },
    "probe.http.phases": {"id": "Fase: {phases}", "en": "Phases: {phases}"},
    "probe.phase.resolve": {"id": "resolusi nama {time}", "en": "name resolution {time}"},
    "probe.phase.connect": {"id": "koneksi {time}", "en": "connect {time}"},
    "probe.phase.tls": {"id": "jabat tangan TLS {time}", "en": "TLS handshake {time}"},
    "probe.phase.processing": {
        "id": "sampai byte pertama {time}",
        "en": "to the first byte {time}",
    },
    "probe.phase.transfer": {"id": "transfer {time}", "en": "transfer {time}"},
    "probe.http.content_ok": {
        "id": "Isi halaman sesuai yang diharapkan",
        "en": "The page content is as expected",
    },
    "probe.http.content_bad": {
        "id": "Isi halaman TIDAK sesuai yang diharapkan",
        "en": "The page content is NOT as expected",
    },
    "probe.http.redirect": {
        "id": "Pengalihan {status} ke {url}",
        "en": "Redirect {status} to {url}",
    },
    "probe.http.body": {"id": "Awal isi: {body}", "en": "Body starts: {body}"},
    "probe.cert": {
        "id": "Sertifikat: {subject}, penerbit {issuer}, berlaku sampai {until} ({left}), {trust}",
        "en": "Certificate: {subject}, issued by {issuer}, valid until {until} ({left}), {trust}",
    },
    "probe.cert.days_left": {"id": "{days} hari lagi", "en": "{days} days left"},
    "probe.cert.expired_days": {
        "id": "SUDAH BERAKHIR {days} hari lalu",
        "en": "EXPIRED {days} days ago",
    },
    "probe.cert.verified": {"id": "terverifikasi", "en": "verified"},
    "probe.cert.not_verified": {
        "id": "TIDAK terverifikasi: {error}",
        "en": "NOT verified: {error}",
    },
    "probe.cert.not_checked": {
        "id": "tidak diperiksa (insecure_skip_verify)",
        "en": "not checked (insecure_skip_verify)",
    },
    "probe.cert.names": {
        "id": "Nama di sertifikat: {names}",
        "en": "Names in the certificate: {names}",
    },
    "probe.tls": {"id": "TLS: {version}, {cipher}", "en": "TLS: {version}, {cipher}"},
    "probe.tcp.port": {
        "id": "Port {port}: {verdict}, koneksi {connect}",
        "en": "Port {port}: {verdict}, connect {connect}",
    },
    "probe.tcp.port_failed": {
        "id": "Port {port}: {verdict}, {reason}",
        "en": "Port {port}: {verdict}, {reason}",
    },
    "probe.tcp.banner": {"id": "Balasan pertama: {banner}", "en": "First reply: {banner}"},
    "probe.dns.answer": {
        "id": "Jawaban {rcode}: {answers}",
        "en": "Answer {rcode}: {answers}",
    },
    "probe.dns.expected": {"id": "Diharapkan: {expected}", "en": "Expected: {expected}"},
    "probe.dns.no_answer": {
        "id": "Tidak ada jawaban yang sah dari server DNS",
        "en": "No valid answer from the DNS server",
    },
    "probe.cert.warning": {
        "id": "Sisa kurang dari {days} hari (degraded.cert_expiry): daemon menandai target MENURUN dan mengirim peringatan sertifikat",
        "en": "Less than {days} days left (degraded.cert_expiry): the daemon marks the target DEGRADED and sends a certificate warning",
    },
    "probe.result.ok": {"id": "BERHASIL", "en": "OK"},
    "probe.result.failed": {"id": "GAGAL", "en": "FAILED"},
    "probe.detail": {"id": "    {reason}", "en": "    {reason}"},
    "probe.fallback": {
        "id": "    IPv{version} tidak punya rute; memakai IPv{other}",
        "en": "    IPv{version} has no route; using IPv{other}",
    },
    "probe.echo": {
        "id": "    seq={sequence} rtt={rtt}{late}{duplicates}",
        "en": "    seq={sequence} rtt={rtt}{late}{duplicates}",
    },
    "probe.echo.lost": {"id": "hilang", "en": "lost"},
    "probe.echo.late": {"id": " (terlambat, dihitung hilang)", "en": " (late, counted as lost)"},
    "probe.echo.duplicates": {"id": " (+{count} duplikat)", "en": " (+{count} duplicate)"},
    "probe.summary": {
        "id": "{ok} berhasil, {failed} gagal, {unconfigured} belum dikonfigurasi (tidak dikirimi paket)",
        "en": "{ok} succeeded, {failed} failed, {unconfigured} not configured (no packet sent)",
    },
    "probe.unknown_target": {
        "id": "target {name!r} tidak ada di {file}; mirip: {close}. Nama target adalah kunci name setiap [[targets]] di berkas itu",
        "en": "target {name!r} is not in {file}; similar: {close}. Target names are the name keys of the [[targets]] entries in that file",
    },
    "probe.no_suggestion": {"id": "tidak ada", "en": "none"},
    "probe.no_icmp": {
        "id": "target {name!r} tidak memakai pemeriksaan icmp; tidak ada yang dijalankan",
        "en": "target {name!r} has no icmp probe; nothing was run",
    },
    # pantau probe, SNMP part
    "snmp.header": {
        "id": "{target} ({address}) SNMP: {result}",
        "en": "{target} ({address}) SNMP: {result}",
    },
    "snmp.system": {
        "id": "    nama: {name}; waktu aktif: {uptime}; perangkat: {descr}",
        "en": "    name: {name}; uptime: {uptime}; device: {descr}",
    },
    "snmp.cpu": {"id": "CPU {value} %", "en": "CPU {value} %"},
    "snmp.memory": {"id": "memori {value} %", "en": "memory {value} %"},
    "snmp.storage": {"id": "penyimpanan maks {value} %", "en": "storage max {value} %"},
    "snmp.stats": {
        "id": "    {varbinds} varbind dalam {requests} permintaan, {seconds} s",
        "en": "    {varbinds} varbinds in {requests} requests, {seconds} s",
    },
    "snmp.col.interface": {"id": "ANTARMUKA", "en": "INTERFACE"},
    "snmp.col.alias": {"id": "ALIAS", "en": "ALIAS"},
    "snmp.col.status": {"id": "STATUS", "en": "STATUS"},
    "snmp.col.speed": {"id": "KECEPATAN", "en": "SPEED"},
    "snmp.col.in": {"id": "MASUK", "en": "IN"},
    "snmp.col.out": {"id": "KELUAR", "en": "OUT"},
    "snmp.col.errors": {"id": "ERROR MSK/KLR", "en": "ERRORS IN/OUT"},
    "cli.help.sample": {
        "id": "jeda antara dua polling SNMP untuk menghitung laju antarmuka, misalnya 5s "
        "(0s: satu polling, tanpa laju)",
        "en": "time between the two SNMP polls that give interface rates, for example 5s "
        "(0s: one poll, no rates)",
    },
    # pantau check-config
    "check.ok": {
        "id": "konfigurasi valid: {file}: {targets} target ({configured} terkonfigurasi, "
        "{unconfigured} BELUM DIKONFIGURASI), {groups} OPD/grup, jaringan: {networks}",
        "en": "configuration is valid: {file}: targets: {targets} ({configured} configured, "
        "{unconfigured} UNCONFIGURED); agencies or groups: {groups}; networks: {networks}",
    },
    "check.no_network": {"id": "(tidak ada)", "en": "(none)"},
    "check.services": {
        "id": "pemeriksaan layanan (jumlah target): {checks}",
        "en": "service checks (targets): {checks}",
    },
    "config.file_missing": {
        "id": "berkas konfigurasi {file} tidak ditemukan (urutan pencarian: -c BERKAS, "
        "$PANTAU_CONFIG, /etc/pantau/targets.toml, config/targets.toml); buat berkas itu "
        "atau beri jalur lain dengan -c BERKAS",
        "en": "configuration file {file} not found (searched in order: -c FILE, "
        "$PANTAU_CONFIG, /etc/pantau/targets.toml, config/targets.toml); create it or "
        "give another path with -c FILE",
    },
    "config.file_is_directory": {
        "id": "{file} adalah folder, bukan berkas konfigurasi; beri jalur ke berkas .toml, "
        "misalnya {file}/targets.toml",
        "en": "{file} is a folder, not a configuration file; give the path of a .toml file, "
        "for example {file}/targets.toml",
    },
    "config.file_unreadable": {
        "id": "berkas konfigurasi {file} tidak bisa dibaca: {error}; periksa izin berkas",
        "en": "configuration file {file} cannot be read: {error}; check the file's permissions",
    },
    # Daemon start-up failures.
    "daemon.icmp_unavailable": {
        "id": "soket ICMP tidak bisa dibuka: soket raw gagal ({raw_error}) dan soket datagram "
        "tanpa hak khusus gagal ({datagram_error}). Perbaiki salah satu: beri kemampuan "
        "CAP_NET_RAW (setcap cap_net_raw+ep pada interpreter Python, atau "
        "AmbientCapabilities=CAP_NET_RAW di unit systemd), atau izinkan grup pengguna daemon "
        'lewat sysctl, misalnya: sysctl -w net.ipv4.ping_group_range="0 2147483647"',
        "en": "cannot open an ICMP socket: the raw socket failed ({raw_error}) and the "
        "unprivileged datagram socket failed ({datagram_error}). Fix either: grant "
        "CAP_NET_RAW (setcap cap_net_raw+ep on the Python interpreter, or "
        "AmbientCapabilities=CAP_NET_RAW in the systemd unit), or allow the daemon user's "
        "group through the sysctl, for example: sysctl -w "
        'net.ipv4.ping_group_range="0 2147483647"',
    },
    "daemon.database_locked": {
        "id": "basis data {path} sedang dipakai daemon Pantau lain (pid {pid}); hentikan daemon itu "
        "atau beri daemon ini database lain di [daemon] database",
        "en": "database {path} is in use by another Pantau daemon (pid {pid}); stop that daemon "
        "or give this one another file in [daemon] database",
    },
    "daemon.listen_failed": {
        "id": "tidak bisa mendengarkan di {listen}: {error}; pilih alamat:port lain di "
        "[daemon] listen atau hentikan program yang memakai port itu",
        "en": "cannot listen on {listen}: {error}; choose another address:port in "
        "[daemon] listen or stop the program using that port",
    },
    # Help texts.
    "cli.description": {
        "id": "Pantau: pemantauan jaringan OPD, jaringan eksekutif dan server aplikasi.",
        "en": "Pantau: monitoring of agency (OPD) networks, the executive network and "
        "application servers.",
    },
    "cli.help.config": {
        "id": "berkas konfigurasi TOML (bawaan: $PANTAU_CONFIG, /etc/pantau/targets.toml, "
        "lalu config/targets.toml)",
        "en": "TOML configuration file (default: $PANTAU_CONFIG, /etc/pantau/targets.toml, "
        "then config/targets.toml)",
    },
    "cli.help.lang": {
        "id": "bahasa keluaran: id (Indonesia) atau en (Inggris); bawaan dari konfigurasi",
        "en": "output language: id (Indonesian) or en (English); default from the configuration",
    },
    "cli.help.run": {
        "id": "jalankan daemon (dipakai systemd)",
        "en": "run the daemon (systemd runs this)",
    },
    "cli.help.check": {
        "id": "periksa konfigurasi; kode keluar 0 valid, 1 tidak valid",
        "en": "validate the configuration; exit 0 valid, 1 invalid",
    },
    "cli.help.probe": {
        "id": "jalankan setiap pemeriksaan sekali dan tampilkan hasilnya; kode keluar 0 "
        "semua berhasil, 1 ada yang gagal",
        "en": "run each probe once and print the results; exit 0 all succeeded, 1 any failed",
    },
    "cli.help.targets": {
        "id": "nama target (bawaan: semua)",
        "en": "target names (default: all)",
    },
    "cli.help.send_interval": {
        "id": "jeda minimum antara dua paket ke target mana pun, misalnya 1ms (bawaan 0ms: "
        "hanya packet_interval tiap target)",
        "en": "minimum gap between two packets to any targets, for example 1ms (default 0ms: "
        "only each target's packet_interval)",
    },
    "cli.bad_duration": {
        "id": 'durasi {value!r} tidak valid; tulis angka dengan satuan, misalnya "500ms", "30s" atau "5m"',
        "en": 'invalid duration {value!r}; write a number with a unit, for example "500ms", "30s" or "5m"',
    },
    "cli.usage_error": {
        "id": "kesalahan pemakaian perintah: {error}; lihat pantau --help",
        "en": "usage error: {error}; see pantau --help",
    },
    "cli.metavar.file": {"id": "BERKAS", "en": "FILE"},
    "cli.metavar.command": {"id": "PERINTAH", "en": "COMMAND"},
    "cli.metavar.duration": {"id": "DURASI", "en": "DURATION"},
    "cli.help.json": {"id": "keluaran JSON", "en": "JSON output"},
    "cli.help.verbose": {
        "id": "tampilkan setiap paket: terkirim, balasan dan alasannya",
        "en": "show every packet: sent, reply and the reason",
    },
}
