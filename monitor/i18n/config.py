"""Messages of the configuration loader (monitor/config.py).

Each problem renders as ``file:line: key: text``, so a text names the bad
value and the fix but not the key, which comes before it. The parameters are
already formatted for display: quoted strings, durations such as "30s", and
TOML snippets such as ``count = 5``. tomllib's own syntax message is English
in both languages, and so are the reason that Python's re module gives for an
invalid regular expression, the reason that APScheduler gives for an
invalid cron expression and the reason that PyYAML gives for an invalid web
configuration file.
"""

from __future__ import annotations

from collections.abc import Mapping

MESSAGES: Mapping[str, Mapping[str, str]] = {
    "config.custom_name_built_in": {
        "id": (
            "nama {value} akan menjadi metrik {metric}, yang sudah dipakai Pantau sendiri; "
            "pilih nama lain, misalnya dengan awalan nama perangkat"
        ),
        "en": (
            "name {value} would become the metric {metric}, which Pantau already exports; "
            "choose another name, for example with the device's name in front"
        ),
    },
    "config.invalid.one": {
        "id": "konfigurasi tidak valid: {file} ({count} masalah)",
        "en": "configuration is invalid: {file} ({count} problem)",
    },
    "config.invalid.other": {
        "id": "konfigurasi tidak valid: {file} ({count} masalah)",
        "en": "configuration is invalid: {file} ({count} problems)",
    },
    "config.not_utf8": {
        "id": (
            "berkas bukan teks UTF-8 (byte tidak valid pada posisi {position}); "
            "simpan ulang berkas dengan pengodean UTF-8"
        ),
        "en": (
            "the file is not UTF-8 text (invalid byte at offset {position}); "
            "save it again with UTF-8 encoding"
        ),
    },
    "config.toml_syntax": {
        "id": (
            "sintaks TOML tidak valid: {message}; perbaiki sintaks di posisi itu, misalnya "
            "tanda kutip atau kurung yang belum ditutup, atau kunci yang tertulis dua kali"
        ),
        "en": (
            "invalid TOML syntax: {message}; correct the syntax at that position, for "
            "example an unclosed quote or bracket, or a key written twice"
        ),
    },
    # Keys and value types
    "config.unknown_key": {
        "id": "kunci tidak dikenal; hapus kunci ini atau gunakan salah satu dari: {allowed}",
        "en": "unknown key; remove it or use one of: {allowed}",
    },
    "config.unknown_key_suggestion": {
        "id": 'kunci tidak dikenal; mungkin maksudnya "{suggestion}"?',
        "en": 'unknown key; did you mean "{suggestion}"?',
    },
    "config.secret_in_file": {
        "id": (
            "rahasia tidak boleh ditulis di berkas konfigurasi; simpan nilainya di variabel "
            'lingkungan dan tulis nama variabel itu di kunci "{suggestion}", misalnya {example}'
        ),
        "en": (
            "secrets must not be written in the configuration file; put the value in an "
            'environment variable and write its name in the key "{suggestion}", '
            "for example {example}"
        ),
    },
    "config.missing_key": {
        "id": "kunci wajib ini tidak ada; tambahkan, misalnya {example}",
        "en": "this required key is missing; add it, for example {example}",
    },
    "config.expected_string": {
        "id": "harus berupa teks dalam tanda kutip, bukan {value}; tulis misalnya {example}",
        "en": "must be a string in quotes, not {value}; write for example {example}",
    },
    "config.expected_integer": {
        "id": "harus berupa bilangan bulat tanpa tanda kutip, bukan {value}; tulis misalnya {example}",
        "en": "must be an integer without quotes, not {value}; write for example {example}",
    },
    "config.expected_table": {
        "id": "harus berupa tabel, bukan {value}; tulis misalnya {example}",
        "en": "must be a table, not {value}; write for example {example}",
    },
    "config.expected_table_array": {
        "id": "harus berupa daftar tabel, bukan {value}; tulis setiap entri di bawah header {example}",
        "en": "must be an array of tables, not {value}; write each entry under a {example} header",
    },
    "config.expected_string_array": {
        "id": "harus berupa daftar teks, bukan {value}; tulis misalnya {example}",
        "en": "must be an array of strings, not {value}; write for example {example}",
    },
    "config.expected_boolean": {
        "id": "harus berupa true atau false tanpa tanda kutip, bukan {value}; tulis misalnya {example}",
        "en": "must be true or false without quotes, not {value}; write for example {example}",
    },
    "config.expected_integer_array": {
        "id": (
            "harus berupa daftar bilangan bulat tanpa tanda kutip, bukan {value}; "
            "tulis misalnya {example}"
        ),
        "en": (
            "must be an array of integers without quotes, not {value}; write for example {example}"
        ),
    },
    "config.empty_string": {
        "id": "tidak boleh kosong; tulis misalnya {example}",
        "en": "must not be empty; write for example {example}",
    },
    "config.invalid_choice": {
        "id": "nilai {value} tidak valid; pilih salah satu dari: {choices}",
        "en": "invalid value {value}; choose one of: {choices}",
    },
    "config.out_of_range": {
        "id": "nilai {value} di luar rentang; gunakan nilai dari {minimum} sampai {maximum}",
        "en": "value {value} is out of range; use a value from {minimum} to {maximum}",
    },
    "config.below_minimum": {
        "id": "nilai {value} terlalu kecil; gunakan paling sedikit {minimum}",
        "en": "value {value} is too small; use at least {minimum}",
    },
    # Durations and timing
    "config.duration_number": {
        "id": (
            "durasi harus berupa teks dengan satuan, bukan angka {value}; "
            "tulis misalnya {example} (satuan: ms, s, m, h, d)"
        ),
        "en": (
            "a duration must be a string with a unit, not the number {value}; "
            "write for example {example} (units: ms, s, m, h, d)"
        ),
    },
    "config.invalid_duration": {
        "id": (
            "durasi {value} tidak valid; tulis angka lalu satuan ms, s, m, h atau d "
            "tanpa spasi, misalnya {example}"
        ),
        "en": (
            "invalid duration {value}; write a number followed by the unit ms, s, m, h or d "
            "with no space, for example {example}"
        ),
    },
    "config.timeout_not_below_interval": {
        "id": (
            "timeout {timeout} harus lebih pendek dari interval {interval}; "
            "perpendek timeout atau perpanjang interval"
        ),
        "en": (
            "timeout {timeout} must be shorter than interval {interval}; "
            "shorten the timeout or lengthen the interval"
        ),
    },
    "config.icmp_burst_too_long": {
        "id": (
            "rangkaian ping ({count} paket berjarak {packet_interval}, ditambah timeout "
            "{timeout}) berlangsung {burst} dan tidak selesai sebelum interval {interval} "
            "berakhir; kurangi count atau packet_interval, perpendek timeout, "
            "atau perpanjang interval"
        ),
        "en": (
            "the ping burst ({count} packets {packet_interval} apart, plus the timeout "
            "{timeout}) lasts {burst} and does not end before the interval {interval}; "
            "lower count or packet_interval, shorten the timeout, or lengthen the interval"
        ),
    },
    # Daemon settings
    "config.invalid_listen": {
        "id": (
            'alamat {value} tidak valid; tulis "host:port", misalnya "127.0.0.1:9470", '
            'atau "[alamat IPv6]:port", misalnya "[::1]:9470"'
        ),
        "en": (
            'invalid listen address {value}; write "host:port", for example '
            '"127.0.0.1:9470", or "[IPv6 address]:port", for example "[::1]:9470"'
        ),
    },
    "config.invalid_listen_port": {
        "id": "port {port} pada {value} di luar rentang 1 sampai 65535; gunakan misalnya port 9470",
        "en": "port {port} in {value} is not in the range 1 to 65535; use for example port 9470",
    },
    "config.web_config_missing": {
        "id": (
            "berkas konfigurasi web {file} tidak ditemukan; buat berkas itu atau perbaiki "
            "jalurnya (relatif terhadap berkas konfigurasi ini)"
        ),
        "en": (
            "web configuration file {file} not found; create it or correct the path "
            "(relative to this configuration file)"
        ),
    },
    "config.web_config_unreadable": {
        "id": "berkas konfigurasi web {file} tidak dapat dibaca: {reason}",
        "en": "cannot read the web configuration file {file}: {reason}",
    },
    "config.web_config_yaml": {
        "id": "bukan YAML yang valid: {reason}; periksa indentasi dan tanda titik dua",
        "en": "not valid YAML: {reason}; check the indentation and the colons",
    },
    "config.web_config_expected_mapping": {
        "id": (
            "diharapkan pemetaan kunci: nilai, bukan {value}; misalnya "
            '"tls_server_config:" dengan "cert_file:" dan "key_file:" menjorok di bawahnya'
        ),
        "en": (
            'expected a mapping of keys to values, not {value}; for example "tls_server_config:" '
            'with "cert_file:" and "key_file:" indented under it'
        ),
    },
    "config.web_config_expected_file": {
        "id": 'nilai {value} bukan jalur berkas; tulis misalnya "server.crt"',
        "en": 'value {value} is not a file path; write for example "server.crt"',
    },
    "config.web_config_file_missing": {
        "id": ("berkas {file} tidak ditemukan; jalur relatif dihitung dari berkas konfigurasi web"),
        "en": "file {file} not found; a relative path starts from the web configuration file",
    },
    "config.web_config_tls_invalid": {
        "id": (
            "sertifikat {cert} dan kunci {key} tidak dapat dimuat; cert_file harus sertifikat "
            "PEM dan key_file kunci privat PEM pasangannya, tanpa frasa sandi"
        ),
        "en": (
            "cannot load the certificate {cert} with the key {key}; cert_file must be a PEM "
            "certificate and key_file its matching PEM private key, without a passphrase"
        ),
    },
    "config.web_config_invalid_user": {
        "id": "nama pengguna {value} tidak valid; gunakan nama tanpa titik dua",
        "en": "invalid user name {value}; use a name without a colon",
    },
    "config.web_config_not_bcrypt": {
        "id": (
            "nilai ini bukan hash bcrypt; buat hash dengan "
            "htpasswd -nBC 10 \"\" | tr -d ':\\n' lalu tempel hasilnya di sini"
        ),
        "en": (
            "this value is not a bcrypt hash; make one with "
            "htpasswd -nBC 10 \"\" | tr -d ':\\n' and paste the result here"
        ),
    },
    "config.invalid_timezone": {
        "id": (
            "zona waktu {value} tidak dikenal; gunakan nama zona IANA, misalnya "
            '"Asia/Jakarta" (WIB), "Asia/Makassar" (WITA) atau "Asia/Jayapura" (WIT)'
        ),
        "en": (
            "unknown time zone {value}; use an IANA zone name such as "
            '"Asia/Jakarta" (WIB), "Asia/Makassar" (WITA) or "Asia/Jayapura" (WIT)'
        ),
    },
    # Names and parents
    "config.invalid_name": {
        "id": (
            "nama {value} tidak valid; gunakan huruf, angka, titik, garis bawah atau "
            "tanda hubung, diawali huruf atau angka, misalnya {example}"
        ),
        "en": (
            "invalid name {value}; use letters, digits, dots, underscores or hyphens, "
            "starting with a letter or digit, for example {example}"
        ),
    },
    "config.duplicate_name": {
        "id": "nama {value} sudah dipakai oleh {first} ({first_position}); gunakan nama yang unik",
        "en": "name {value} is already used by {first} ({first_position}); choose a unique name",
    },
    "config.unknown_parent": {
        "id": "induk {value} tidak ditemukan; gunakan nama salah satu target, misalnya {suggestion}",
        "en": (
            "parent {value} not found; use the name of one of the targets, for example {suggestion}"
        ),
    },
    "config.unknown_parent_no_targets": {
        "id": "induk {value} tidak ditemukan karena tidak ada target lain; hapus kunci parent",
        "en": "parent {value} not found because there is no other target; remove the parent key",
    },
    "config.invalid_channel_url": {
        "id": (
            "variabel lingkungan {variable} tidak berisi URL Apprise yang dikenal (skema "
            '"{scheme}"); tulis URL layanan obrolan, misalnya tgram://TOKEN/CHAT_ID, lalu uji '
            "dengan pantau notify-test"
        ),
        "en": (
            "environment variable {variable} holds no Apprise URL that any service accepts "
            '(scheme "{scheme}"); write the chat service\'s URL, e.g. tgram://TOKEN/CHAT_ID, '
            "and check it with pantau notify-test"
        ),
    },
    "config.window_endless": {
        "id": (
            "durasi {value} tidak lebih pendek dari jarak terpanjang antar-mulai cron {cron} ({gap}), "
            "sehingga jadwal pemeliharaan ini tidak pernah berakhir; perpendek duration atau "
            "ubah cron agar lebih jarang"
        ),
        "en": (
            "duration {value} is not shorter than the longest gap between starts of cron {cron} "
            "({gap}), so this maintenance window never ends; shorten duration or make cron "
            "fire less often"
        ),
    },
    "config.parent_isolation": {
        "id": (
            'parent {value} adalah pemeriksaan isolasi (expect = "unreachable"): tidak ada '
            "target yang dicapai lewat alamat yang harus diam; tulis perangkat yang benar-benar "
            "dilalui sebagai parent"
        ),
        "en": (
            'parent {value} is an isolation check (expect = "unreachable"): nothing is reached '
            "through an address that must stay silent; name the device the target is really "
            "reached through"
        ),
    },
    "config.isolation_parent": {
        "id": (
            'pemeriksaan isolasi (expect = "unreachable") tidak boleh memiliki parent {value}: '
            "induk yang GANGGUAN akan menyembunyikan pelanggaran isolasi; hapus parent"
        ),
        "en": (
            'an isolation check (expect = "unreachable") cannot have parent {value}: a down '
            "parent would hide a breach of the isolation; remove parent"
        ),
    },
    "config.self_parent": {
        "id": (
            "target {value} tidak boleh menjadi induk bagi dirinya sendiri; "
            "hapus parent atau tulis nama target lain"
        ),
        "en": "target {value} cannot be its own parent; remove parent or name another target",
    },
    "config.parent_cycle": {
        "id": (
            "rantai induk membentuk lingkaran: {cycle}; "
            "hapus parent dari salah satu target tersebut"
        ),
        "en": "the parent chain forms a cycle: {cycle}; remove parent from one of these targets",
    },
    "config.no_targets": {
        "id": (
            "tidak ada target; tambahkan paling sedikit satu tabel [[targets]] "
            "dengan name dan address"
        ),
        "en": "there are no targets; add at least one [[targets]] table with name and address",
    },
    # Addresses
    "config.invalid_address": {
        "id": (
            'alamat {value} tidak valid; tulis alamat IPv4 (misalnya "192.0.2.10"), '
            'alamat IPv6 (misalnya "2001:db8::10") atau nama host (misalnya "router.opd.example")'
        ),
        "en": (
            'invalid address {value}; write an IPv4 address (for example "192.0.2.10"), '
            'an IPv6 address (for example "2001:db8::10") or a host name '
            '(for example "router.opd.example")'
        ),
    },
    "config.invalid_ipv4": {
        "id": (
            "alamat IPv4 {value} tidak valid; tulis empat angka 0 sampai 255 yang dipisahkan "
            'titik, misalnya "192.0.2.10"'
        ),
        "en": (
            "invalid IPv4 address {value}; write four numbers from 0 to 255 separated by "
            'dots, for example "192.0.2.10"'
        ),
    },
    "config.invalid_ipv6": {
        "id": 'alamat IPv6 {value} tidak valid; periksa penulisannya, misalnya "2001:db8::10"',
        "en": 'invalid IPv6 address {value}; check how it is written, for example "2001:db8::10"',
    },
    "config.address_unspecified": {
        "id": (
            "alamat {value} adalah alamat tak tertentu yang berarti mesin ini sendiri; "
            "tulis alamat perangkat yang dipantau"
        ),
        "en": (
            "address {value} is the unspecified address, which means this machine itself; "
            "write the address of the monitored device"
        ),
    },
    "config.address_multicast": {
        "id": (
            "alamat {value} adalah alamat multicast yang dijawab banyak host sekaligus; "
            "tulis alamat satu perangkat"
        ),
        "en": (
            "address {value} is a multicast address that many hosts answer at once; "
            "write the address of one device"
        ),
    },
    "config.address_broadcast": {
        "id": (
            "alamat {value} adalah alamat broadcast yang dijawab semua host di segmen; "
            "tulis alamat satu perangkat"
        ),
        "en": (
            "address {value} is the broadcast address that every host on the segment "
            "answers; write the address of one device"
        ),
    },
    "config.address_with_port": {
        "id": (
            "alamat {value} memuat nomor port; tulis alamatnya saja, {host}, "
            "dan tulis port SNMP di snmp.port"
        ),
        "en": (
            "address {value} contains a port number; write only the address, {host}, "
            "and put the SNMP port in snmp.port"
        ),
    },
    "config.hostname_too_long": {
        "id": (
            "nama host {value} terlalu panjang ({length} karakter, maksimum 253); "
            "gunakan nama yang lebih pendek atau alamat IP"
        ),
        "en": (
            "host name {value} is too long ({length} characters, maximum 253); "
            "use a shorter name or an IP address"
        ),
    },
    "config.invalid_hostname_label": {
        "id": (
            "bagian {label} pada nama host {value} tidak valid; setiap bagian di antara "
            "titik berisi 1 sampai 63 huruf, angka atau tanda hubung, dan tidak diawali "
            "atau diakhiri tanda hubung"
        ),
        "en": (
            "label {label} of host name {value} is invalid; each label between dots has "
            "1 to 63 letters, digits or hyphens, and does not start or end with a hyphen"
        ),
    },
    "config.family_mismatch": {
        "id": (
            "family {family} bertentangan dengan alamat IPv{version} {value}; "
            'ubah family menjadi "auto" atau "ip{version}"'
        ),
        "en": (
            "family {family} contradicts the IPv{version} address {value}; "
            'set family to "auto" or "ip{version}"'
        ),
    },
    # Probes and SNMP
    "config.empty_probes": {
        "id": 'daftar probe kosong; tulis misalnya probes = ["icmp"]',
        "en": 'the list of probes is empty; write for example probes = ["icmp"]',
    },
    "config.duplicate_probe": {
        "id": "probe {value} tertulis lebih dari sekali; hapus duplikatnya",
        "en": "probe {value} is listed more than once; remove the duplicate",
    },
    "config.snmp_table_missing": {
        "id": 'probe "snmp" memerlukan tabel snmp; tambahkan misalnya {example}',
        "en": 'the "snmp" probe needs an snmp table; add for example {example}',
    },
    "config.snmp_probe_missing": {
        "id": (
            'tabel snmp diisi tetapi "snmp" tidak tercantum di probes; '
            'tambahkan "snmp" ke probes atau hapus tabel snmp'
        ),
        "en": (
            'the snmp table is set but probes does not list "snmp"; '
            'add "snmp" to probes or remove the snmp table'
        ),
    },
    "config.unknown_credential": {
        "id": (
            "kredensial {value} tidak ditemukan; gunakan salah satu dari: {known}, "
            "atau tambahkan tabel [credentials.{name}]"
        ),
        "en": (
            "credential {value} not found; use one of: {known}, or add a [credentials.{name}] table"
        ),
    },
    "config.unknown_credential_none": {
        "id": (
            "kredensial {value} tidak ditemukan karena belum ada kredensial; "
            "tambahkan tabel [credentials.{name}] dengan version dan community_env"
        ),
        "en": (
            "credential {value} not found because no credential is defined; "
            "add a [credentials.{name}] table with version and community_env"
        ),
    },
    "config.v3_only_key": {
        "id": (
            "kunci ini hanya berlaku untuk SNMP versi 3, sedangkan version = {version}; "
            'hapus kunci ini atau ubah version menjadi "3"'
        ),
        "en": (
            "this key applies only to SNMP version 3, but version = {version}; "
            'remove the key or set version to "3"'
        ),
    },
    "config.community_v3": {
        "id": (
            "community_env tidak berlaku untuk SNMP versi 3; hapus kunci ini dan gunakan "
            "username, auth_key_env dan priv_key_env"
        ),
        "en": (
            "community_env does not apply to SNMP version 3; remove it and use "
            "username, auth_key_env and priv_key_env"
        ),
    },
    "config.required_for_level": {
        "id": "kunci ini wajib untuk security_level {level}; tambahkan misalnya {example}",
        "en": "this key is required for security_level {level}; add for example {example}",
    },
    "config.not_for_level": {
        "id": (
            "kunci ini tidak berlaku untuk security_level {level}; hapus kunci ini "
            "atau ubah security_level menjadi {needed}"
        ),
        "en": (
            "this key does not apply to security_level {level}; remove it "
            "or set security_level to {needed}"
        ),
    },
    # SNMP polling settings
    "config.not_in_defaults": {
        "id": (
            "kunci ini milik masing-masing target dan tidak dapat diatur di [defaults]; "
            "pindahkan ke tabel snmp setiap target"
        ),
        "en": (
            "this key belongs to each target and cannot be set in [defaults]; "
            "move it to the snmp table of the targets"
        ),
    },
    "config.unknown_profile": {
        "id": "profil SNMP {value} tidak dikenal; gunakan salah satu dari: {known}",
        "en": "unknown SNMP profile {value}; use one of: {known}",
    },
    "config.unknown_profile_suggestion": {
        "id": (
            "profil SNMP {value} tidak dikenal; mungkin maksudnya {suggestion}? "
            "Profil yang tersedia: {known}"
        ),
        "en": "unknown SNMP profile {value}; did you mean {suggestion}? Known profiles: {known}",
    },
    "config.unknown_charset": {
        "id": (
            "set karakter {value} tidak dikenal; tulis nama yang dikenal Python, misalnya "
            '"cp1252" (Windows, Eropa Barat) atau "gbk" (Tionghoa Sederhana)'
        ),
        "en": (
            "unknown character set {value}; write a name that Python knows, for example "
            '"cp1252" (Windows, Western European) or "gbk" (Simplified Chinese)'
        ),
    },
    "config.charset_not_text": {
        "id": (
            "codec {value} tidak dapat mendekode teks dari perangkat karena bukan set "
            'karakter atau menolak sebagian byte; tulis set karakter, misalnya "cp1252" '
            'atau "gbk"'
        ),
        "en": (
            "codec {value} cannot decode text from a device because it is no character set "
            'or rejects some bytes; write a character set, for example "cp1252" or "gbk"'
        ),
    },
    # Interfaces
    "config.invalid_regex": {
        "id": (
            "ekspresi reguler {value} tidak valid: {reason} pada karakter ke-{position}; "
            "perbaiki ekspresinya (sintaks re Python, dicocokkan dengan seluruh nama antarmuka)"
        ),
        "en": (
            "invalid regular expression {value}: {reason} at character {position}; correct "
            "the expression (Python re syntax, matched against the whole interface name)"
        ),
    },
    "config.invalid_regex_no_position": {
        "id": (
            "ekspresi reguler {value} tidak valid: {reason}; perbaiki ekspresinya "
            "(sintaks re Python, dicocokkan dengan seluruh nama antarmuka)"
        ),
        "en": (
            "invalid regular expression {value}: {reason}; correct the expression "
            "(Python re syntax, matched against the whole interface name)"
        ),
    },
    "config.regex_too_deep": {
        "id": (
            "ekspresi reguler {value} memuat kurung bersarang terlalu dalam untuk modul re "
            "Python; tulis ulang dengan lebih sedikit kurung bersarang"
        ),
        "en": (
            "regular expression {value} nests brackets too deeply for Python's re module; "
            "write it with fewer nested brackets"
        ),
    },
    "config.speed_number": {
        "id": (
            "kecepatan harus berupa teks dengan satuan, bukan angka {value}; tulis misalnya "
            "{example} (satuan: bps, kbps, Mbps, Gbps)"
        ),
        "en": (
            "a speed must be a string with a unit, not the number {value}; write for "
            "example {example} (units: bps, kbps, Mbps, Gbps)"
        ),
    },
    "config.invalid_speed": {
        "id": (
            "kecepatan {value} tidak valid; tulis angka lalu satuan bps, kbps, Mbps atau "
            "Gbps tanpa spasi, misalnya {example} (1 kbps = 1000 bps)"
        ),
        "en": (
            "invalid speed {value}; write a number followed by the unit bps, kbps, Mbps or "
            "Gbps with no space, for example {example} (1 kbps = 1000 bps)"
        ),
    },
    # Custom OIDs
    "config.invalid_metric_name": {
        "id": (
            "nama {value} tidak valid; gunakan huruf kecil, angka dan garis bawah, "
            'diawali huruf, misalnya "disk_used_percent"'
        ),
        "en": (
            "invalid name {value}; use lowercase letters, digits and underscores, "
            'starting with a letter, for example "disk_used_percent"'
        ),
    },
    "config.invalid_oid": {
        "id": (
            "OID {value} tidak valid; tulis angka yang dipisahkan titik, misalnya "
            '"1.3.6.1.4.1.2021.9.1.9", karena Pantau tidak membaca berkas MIB '
            "(snmptranslate -On mengubah nama objek menjadi angka)"
        ),
        "en": (
            "invalid OID {value}; write numbers separated by dots, for example "
            '"1.3.6.1.4.1.2021.9.1.9", because Pantau reads no MIB files '
            "(snmptranslate -On turns an object name into numbers)"
        ),
    },
    "config.oid_arc_too_large": {
        "id": (
            "OID {value} memuat angka yang lebih besar dari {maximum}, batas yang diizinkan "
            "SNMP; periksa angkanya"
        ),
        "en": (
            "OID {value} contains a number larger than {maximum}, the maximum that SNMP "
            "allows; check the digits"
        ),
    },
    "config.oid_too_short": {
        "id": (
            "OID {value} hanya memuat satu angka, padahal OID memuat paling sedikit dua; "
            'tulis OID lengkap, misalnya "1.3.6.1.2.1.25.1.6.0"'
        ),
        "en": (
            "OID {value} has only one number but an OID has at least two; write the whole "
            'OID, for example "1.3.6.1.2.1.25.1.6.0"'
        ),
    },
    "config.oid_too_long": {
        "id": (
            "OID {value} memuat {count} angka, lebih dari {maximum} yang diizinkan SNMP; "
            "periksa OID-nya"
        ),
        "en": (
            "OID {value} has {count} numbers, more than the {maximum} that SNMP allows; "
            "check the OID"
        ),
    },
    "config.oid_first_arc": {
        "id": (
            "OID {value} diawali {arc}, padahal angka pertama OID adalah 0, 1 atau 2; "
            "periksa OID-nya, OID SNMP biasanya diawali 1.3.6.1"
        ),
        "en": (
            "OID {value} starts with {arc} but the first number of an OID is 0, 1 or 2; "
            "check the OID, SNMP OIDs usually start with 1.3.6.1"
        ),
    },
    "config.oid_second_arc": {
        "id": (
            "angka kedua OID {value} adalah {arc}, padahal di bawah {first} paling besar 39; "
            "periksa OID-nya, OID SNMP biasanya diawali 1.3.6.1"
        ),
        "en": (
            "the second number of OID {value} is {arc} but under {first} it is at most 39; "
            "check the OID, SNMP OIDs usually start with 1.3.6.1"
        ),
    },
    "config.invalid_label_name": {
        "id": (
            "nama label {value} tidak valid; gunakan huruf, angka dan garis bawah, "
            'diawali huruf, misalnya "disk"'
        ),
        "en": (
            "invalid label name {value}; use letters, digits and underscores, "
            'starting with a letter, for example "disk"'
        ),
    },
    "config.reserved_label": {
        "id": (
            "label {value} sudah dipasang Pantau sendiri pada metrik SNMP ({reserved}); "
            'pilih nama lain, misalnya "index"'
        ),
        "en": (
            "label {value} is already set by Pantau on SNMP metrics ({reserved}); "
            'choose another name, for example "index"'
        ),
    },
    # Status rules: degraded limits, flapping, reminders
    "config.target_only_key": {
        "id": (
            "kunci ini milik masing-masing target dan tidak dapat diatur di [defaults]; "
            "pindahkan ke tabel [[targets]] yang memerlukannya"
        ),
        "en": (
            "this key belongs to each target and cannot be set in [defaults]; "
            "move it to the [[targets]] tables that need it"
        ),
    },
    "config.hidden_character": {
        "id": (
            "teks ini memuat karakter kendali atau pembalik arah tulisan {character}, yang dapat "
            "memalsukan baris atau membalik teks di pesan dan laporan; hapus karakter itu"
        ),
        "en": (
            "this text holds the control or text-direction character {character}, which can forge "
            "lines or reverse text in messages and reports; remove it"
        ),
    },
    "config.uplink_filtered": {
        "id": (
            "antarmuka uplink {value} tidak dipantau karena tersaring oleh interfaces "
            "(include/exclude); ubah saringannya atau tulis nama antarmuka yang dipantau"
        ),
        "en": (
            "the uplink interface {value} is not polled because the interfaces filter "
            "(include/exclude) drops it; change the filter or name a polled interface"
        ),
    },
    "config.report_threshold_order": {
        "id": (
            'ambang "siap" ini lebih longgar daripada {other}; ambang siap harus '
            "sama atau lebih ketat daripada batas belum siap, misalnya availability_ready = "
            '"99.5%" dengan availability_minimum = "98%"'
        ),
        "en": (
            'this "ready" threshold is looser than {other}; the ready threshold must be '
            "equal to or stricter than the not-ready limit, for example availability_ready = "
            '"99.5%" with availability_minimum = "98%"'
        ),
    },
    "config.report_threshold_off": {
        "id": (
            "ambang laporan tidak dapat dimatikan dengan false; tulis persentase, "
            "misalnya {example}"
        ),
        "en": "a report threshold cannot be switched off with false; write a percentage, "
        "for example {example}",
    },
    "config.percent_number": {
        "id": (
            "batas di atas 1 ditulis sebagai persentase dalam tanda kutip, bukan angka {value}; "
            "tulis misalnya {example}, atau pecahan 0 sampai 1 seperti 0.2 untuk 20%"
        ),
        "en": (
            "a limit above 1 is written as a percentage in quotes, not the number {value}; "
            "write for example {example}, or a fraction from 0 to 1 such as 0.2 for 20%"
        ),
    },
    "config.invalid_percentage": {
        "id": (
            "persentase {value} tidak valid; tulis angka dengan titik sebagai pemisah desimal "
            "lalu tanda %, tanpa spasi, misalnya {example}, atau pecahan 0 sampai 1 seperti 0.2"
        ),
        "en": (
            "invalid percentage {value}; write a number with a dot as the decimal separator "
            "followed by %, with no space, for example {example}, or a fraction from 0 to 1 "
            "such as 0.2"
        ),
    },
    "config.expected_percentage": {
        "id": (
            "harus berupa persentase dalam tanda kutip atau pecahan 0 sampai 1, bukan {value}; "
            "tulis misalnya {example}, atau false untuk mematikan batas ini"
        ),
        "en": (
            "must be a percentage in quotes or a fraction from 0 to 1, not {value}; "
            "write for example {example}, or false to switch the limit off"
        ),
    },
    "config.ratio_out_of_range": {
        "id": (
            "batas {value} di luar rentang; gunakan nilai di atas 0% dan paling besar 100%, "
            "misalnya {example}, atau false untuk mematikan batas ini"
        ),
        "en": (
            "limit {value} is out of range; use a value above 0% and at most 100%, "
            "for example {example}, or false to switch the limit off"
        ),
    },
    "config.limit_true": {
        "id": (
            "true bukan batas; tulis batasnya, misalnya {example}, "
            "atau false untuk mematikan batas ini"
        ),
        "en": (
            "true is not a limit; write the limit, for example {example}, "
            "or false to switch the limit off"
        ),
    },
    "config.rtt_not_below_timeout": {
        "id": (
            "batas rtt {rtt} tidak lebih kecil dari timeout {timeout}, jadi tidak ada balasan "
            "yang dapat melewatinya; turunkan batas rtt atau perpanjang timeout"
        ),
        "en": (
            "the rtt limit {rtt} is not below the timeout {timeout}, so no reply can "
            "cross it; lower the rtt limit or lengthen the timeout"
        ),
    },
    "config.remind_too_short": {
        "id": (
            "pengingat setiap {value} akan membanjiri kanal chat; gunakan paling sedikit "
            '{minimum}, atau "0s" atau false untuk mematikan pengingat'
        ),
        "en": (
            "reminders every {value} would flood the chat channels; use at least "
            '{minimum}, or "0s" or false to switch reminders off'
        ),
    },
    # Alerts and channels
    "config.invalid_clock_time": {
        "id": (
            "waktu {value} tidak valid; tulis jam dan menit dalam format 24 jam "
            '"HH:MM", misalnya "07:00"'
        ),
        "en": (
            'invalid time {value}; write hours and minutes in 24-hour form as "HH:MM", '
            'for example "07:00"'
        ),
    },
    "config.rate_number": {
        "id": (
            "laju harus berupa teks dengan satuan, bukan angka {value}; tulis misalnya "
            "{example} (satuan: /s untuk per detik, /min untuk per menit)"
        ),
        "en": (
            "a rate must be a string with a unit, not the number {value}; write for "
            "example {example} (units: /s for per second, /min for per minute)"
        ),
    },
    "config.invalid_rate": {
        "id": (
            "laju {value} tidak valid; tulis jumlah pesan, garis miring, lalu s (per detik) "
            "atau min (per menit) tanpa spasi, misalnya {example}"
        ),
        "en": (
            "invalid rate {value}; write a number of messages, a slash, then s (per second) "
            "or min (per minute) with no space, for example {example}"
        ),
    },
    "config.zero_rate": {
        "id": "laju {value} tidak meloloskan satu pesan pun; gunakan laju di atas 0, misalnya {example}",
        "en": "rate {value} lets no message through; use a rate above 0, for example {example}",
    },
    "config.empty_list": {
        "id": "daftar kosong; hapus kunci ini atau tulis paling sedikit satu nama, misalnya {example}",
        "en": "the list is empty; remove the key or write at least one name, for example {example}",
    },
    "config.unknown_target": {
        "id": "target {value} tidak ditemukan; gunakan nama salah satu target, misalnya {suggestion}",
        "en": (
            "target {value} not found; use the name of one of the targets, for example {suggestion}"
        ),
    },
    "config.unknown_target_none": {
        "id": "target {value} tidak ditemukan karena belum ada target; tambahkan target dahulu",
        "en": "target {value} not found because there are no targets; add the targets first",
    },
    "config.unknown_group": {
        "id": (
            "grup {value} tidak ditemukan; gunakan group yang tertulis pada salah satu target, "
            "misalnya {suggestion}"
        ),
        "en": (
            "group {value} not found; use a group that one of the targets has, "
            "for example {suggestion}"
        ),
    },
    "config.unknown_group_none": {
        "id": (
            "grup {value} tidak ditemukan karena tidak ada target yang mengisi group; "
            "isi group pada target atau hapus nama ini"
        ),
        "en": (
            "group {value} not found because no target sets group; "
            "set group on the targets or remove this name"
        ),
    },
    "config.unknown_network": {
        "id": (
            "jaringan {value} tidak ditemukan; gunakan network yang tertulis pada salah satu "
            "target, misalnya {suggestion}"
        ),
        "en": (
            "network {value} not found; use a network that one of the targets has, "
            "for example {suggestion}"
        ),
    },
    "config.unknown_network_none": {
        "id": (
            "jaringan {value} tidak ditemukan karena tidak ada target yang mengisi network; "
            "isi network pada target atau hapus nama ini"
        ),
        "en": (
            "network {value} not found because no target sets network; "
            "set network on the targets or remove this name"
        ),
    },
    # Maintenance windows
    "config.window_scope_missing": {
        "id": (
            "jendela pemeliharaan memerlukan paling sedikit satu dari targets, groups atau "
            'networks; tambahkan misalnya targets = ["db-server"]'
        ),
        "en": (
            "a maintenance window needs at least one of targets, groups or networks; "
            'add for example targets = ["db-server"]'
        ),
    },
    "config.window_both_kinds": {
        "id": (
            "jendela pemeliharaan bersifat sekali (start dan end) atau berulang (cron dan "
            "duration), tidak keduanya; hapus start dan end, atau cron dan duration"
        ),
        "en": (
            "a maintenance window is either one-off (start and end) or recurring (cron and "
            "duration), not both; remove start and end, or cron and duration"
        ),
    },
    "config.window_kind_missing": {
        "id": (
            "jendela pemeliharaan tidak punya waktu; tambahkan start dan end untuk jendela "
            "sekali, misalnya start = 2026-12-05T22:00:00 dan end = 2026-12-06T02:00:00, "
            'atau cron dan duration untuk jendela berulang, misalnya cron = "0 22 * * sat" '
            'dan duration = "4h"'
        ),
        "en": (
            "the maintenance window has no time; add start and end for a one-off window, "
            "for example start = 2026-12-05T22:00:00 and end = 2026-12-06T02:00:00, or cron "
            'and duration for a recurring one, for example cron = "0 22 * * sat" and '
            'duration = "4h"'
        ),
    },
    "config.end_not_after_start": {
        "id": "end {end} tidak lebih lambat dari start {start}; tulis end setelah start",
        "en": "end {end} is not after start {start}; write an end later than the start",
    },
    "config.expected_datetime": {
        "id": "harus berupa tanggal dan jam tanpa tanda kutip, bukan {value}; tulis misalnya {example}",
        "en": "must be a date and time without quotes, not {value}; write for example {example}",
    },
    "config.datetime_date_only": {
        "id": "tanggal saja tidak memuat jam; tulis tanggal dan jamnya, misalnya {example}",
        "en": "a date alone has no time of day; write the date and the time, for example {example}",
    },
    "config.datetime_quoted": {
        "id": (
            "{value} dalam tanda kutip adalah teks, bukan tanggal dan jam; tulis tanpa tanda "
            "kutip sebagai datetime TOML: {example}"
        ),
        "en": (
            "{value} in quotes is a string, not a date and time; write it without quotes "
            "as a TOML datetime: {example}"
        ),
    },
    "config.cron_field_count": {
        "id": (
            "ekspresi cron {value} harus memuat 5 kolom, tetapi memuat {count}; tulis menit, "
            'jam, tanggal, bulan dan hari dalam minggu, misalnya "0 22 * * sat", atau salah '
            "satu singkatan @hourly, @daily, @weekly, @monthly, @yearly"
        ),
        "en": (
            "cron expression {value} needs 5 fields but has {count}; write the minute, "
            'hour, day of month, month and day of week, for example "0 22 * * sat", or one '
            "of the shortcuts @hourly, @daily, @weekly, @monthly, @yearly"
        ),
    },
    "config.cron_field": {
        "id": (
            "kolom {field} {field_value} pada ekspresi cron {value} tidak valid; tulis "
            'nilai dalam rentang itu, misalnya cron = "0 22 * * sat"'
        ),
        "en": (
            "invalid {field} field {field_value} in cron expression {value}; write a value "
            'within that range, for example cron = "0 22 * * sat"'
        ),
    },
    "config.cron_never": {
        "id": (
            "ekspresi cron {value} tidak pernah terjadi dalam 9 tahun ke depan (misalnya "
            "tanggal 30 Februari); perbaiki tanggal dan bulannya"
        ),
        "en": (
            "cron expression {value} never fires within the next 9 years (30 February, "
            "for example); correct its day of month and month"
        ),
    },
    # Application-service checks: http, tcp, tls and dns tables
    "config.service_table_missing": {
        "id": 'probe "{probe}" memerlukan tabel {probe}; tambahkan misalnya {example}',
        "en": 'the "{probe}" probe needs a {probe} table; add for example {example}',
    },
    "config.tls_table_missing": {
        "id": (
            'probe "tls" memerlukan tabel tls, atau pemeriksaan http dengan URL https; '
            "tambahkan misalnya {example}"
        ),
        "en": (
            'the "tls" probe needs a tls table, or an http check with an https URL; '
            "add for example {example}"
        ),
    },
    "config.service_probe_missing": {
        "id": (
            'tabel {probe} diisi tetapi "{probe}" tidak tercantum di probes; '
            'tambahkan "{probe}" ke probes atau hapus tabel {probe}'
        ),
        "en": (
            'the {probe} table is set but probes does not list "{probe}"; '
            'add "{probe}" to probes or remove the {probe} table'
        ),
    },
    "config.url_credentials": {
        "id": (
            "URL memuat nama pengguna atau kata sandi; hapus keduanya dari URL, tulis nama "
            "pengguna di username dan simpan kata sandi di variabel lingkungan yang namanya "
            "ditulis di password_env, misalnya {example}"
        ),
        "en": (
            "the URL contains a user name or password; remove them from the URL, write the "
            "user name in username and put the password in an environment variable named "
            "in password_env, for example {example}"
        ),
    },
    "config.url_character": {
        "id": (
            "URL {value} memuat spasi atau karakter kendali ({character}); tulis karakter itu "
            "dengan pengodean persen, misalnya %20 untuk spasi"
        ),
        "en": (
            "URL {value} contains a space or control character ({character}); write it "
            "percent-encoded, for example %20 for a space"
        ),
    },
    "config.url_no_scheme": {
        "id": "URL {value} tidak memuat skema http:// atau https://; tulis misalnya {example}",
        "en": "URL {value} has no http:// or https:// scheme; write for example {example}",
    },
    "config.url_scheme": {
        "id": ("skema {scheme} pada URL {value} tidak didukung; gunakan http:// atau https://"),
        "en": "scheme {scheme} of URL {value} is not supported; use http:// or https://",
    },
    "config.url_no_host": {
        "id": "URL {value} tidak memuat nama host; tulis URL lengkap, misalnya {example}",
        "en": "URL {value} has no host; write a full URL, for example {example}",
    },
    "config.url_host": {
        "id": (
            "host {host} pada URL {value} tidak valid; tulis nama host (nama internasional "
            'dalam bentuk xn--), alamat IPv4, atau alamat IPv6 dalam kurung siku seperti "[2001:db8::10]"'
        ),
        "en": (
            "host {host} of URL {value} is invalid; write a host name (an internationalised "
            'name in its xn-- form), an IPv4 address, or an IPv6 address in brackets such as "[2001:db8::10]"'
        ),
    },
    "config.url_ipv6_brackets": {
        "id": (
            "alamat IPv6 pada URL {value} harus ditulis dalam kurung siku; tulis misalnya "
            '"http://[2001:db8::10]:8080/"'
        ),
        "en": (
            "the IPv6 address in URL {value} must be written in brackets; write for example "
            '"http://[2001:db8::10]:8080/"'
        ),
    },
    "config.url_port": {
        "id": (
            "port {port} pada URL {value} tidak valid; tulis angka dari 1 sampai 65535, "
            "atau hapus port untuk memakai port bawaan skema"
        ),
        "en": (
            "port {port} of URL {value} is invalid; write a number from 1 to 65535, or "
            "leave the port out to use the scheme's default port"
        ),
    },
    "config.header_name": {
        "id": (
            "nama header {value} tidak valid; gunakan huruf, angka dan tanda hubung saja, "
            'tanpa spasi atau titik dua, misalnya "X-Requested-By"'
        ),
        "en": (
            "invalid header name {value}; use letters, digits and hyphens only, with no "
            'space or colon, for example "X-Requested-By"'
        ),
    },
    "config.header_credentials": {
        "id": (
            "header {name} memuat kredensial, yang tidak boleh ditulis di berkas konfigurasi; "
            "hapus header ini, tulis nama pengguna di username dan nama variabel lingkungan "
            "kata sandinya di password_env"
        ),
        "en": (
            "the {name} header carries credentials, which must not be written in the "
            "configuration file; remove the header, write the user name in username and "
            "the name of the password's environment variable in password_env"
        ),
    },
    "config.header_framing": {
        "id": (
            "header {name} tidak boleh ditulis di headers karena Pantau mengisinya sendiri "
            "dari body dan koneksi, dan nilai kedua akan membuat permintaan ambigu; "
            "hapus header ini"
        ),
        "en": (
            "the {name} header must not be written in headers because Pantau sets it itself "
            "from the body and the connection, and a second value would make the request "
            "ambiguous; remove the header"
        ),
    },
    "config.header_host": {
        "id": (
            "header {name} tidak boleh ditulis di headers karena Pantau mengirim host dari "
            "URL sebagai Host; hapus header ini dan tulis nama host itu di url, karena "
            'dengan connect = "address" pemeriksaan tetap terhubung ke alamat target'
        ),
        "en": (
            "the {name} header must not be written in headers because Pantau sends the URL's "
            "host as Host; remove the header and write that host name in url, because with "
            'connect = "address" the check still connects to the target\'s address'
        ),
    },
    "config.duplicate_header": {
        "id": (
            "header {value} tertulis lebih dari sekali (nama header tidak membedakan huruf "
            "besar dan kecil); hapus duplikatnya"
        ),
        "en": (
            "header {value} is written more than once (header names ignore case); "
            "remove the duplicate"
        ),
    },
    "config.header_value": {
        "id": (
            "nilai header memuat ganti baris atau karakter kendali ({character}); "
            "tulis nilainya dalam satu baris tanpa karakter kendali"
        ),
        "en": (
            "the header value contains a line break or control character ({character}); "
            "write the value on one line without control characters"
        ),
    },
    "config.username_colon": {
        "id": (
            "nama pengguna {value} memuat titik dua, yang tidak dapat dikirim dengan "
            "autentikasi basic HTTP; gunakan nama pengguna tanpa titik dua"
        ),
        "en": (
            "user name {value} contains a colon, which HTTP basic authentication cannot "
            "carry; use a user name without a colon"
        ),
    },
    "config.response_regex": {
        "id": (
            "ekspresi reguler {value} tidak valid: {reason} pada karakter ke-{position}; "
            "perbaiki ekspresinya (sintaks re Python, dicari di mana saja dalam respons)"
        ),
        "en": (
            "invalid regular expression {value}: {reason} at character {position}; correct "
            "the expression (Python re syntax, searched for anywhere in the response)"
        ),
    },
    "config.regex_not_re2": {
        "id": (
            "ekspresi reguler {value} tidak dapat dipakai: {reason}; Pantau mencocokkan "
            "respons dengan RE2 (seperti blackbox_exporter) agar pola apa pun selesai "
            "dalam waktu singkat, jadi tulis tanpa backreference (\\1) dan lookaround ((?=, (?!, (?<=)"
        ),
        "en": (
            "regular expression {value} cannot be used: {reason}; Pantau matches responses "
            "with RE2 (as blackbox_exporter does) so that any pattern finishes quickly, so "
            "write it without backreferences (\\1) and look-around ((?=, (?!, (?<=)"
        ),
    },
    "config.response_regex_no_position": {
        "id": (
            "ekspresi reguler {value} tidak valid: {reason}; perbaiki ekspresinya "
            "(sintaks re Python, dicari di mana saja dalam respons)"
        ),
        "en": (
            "invalid regular expression {value}: {reason}; correct the expression "
            "(Python re syntax, searched for anywhere in the response)"
        ),
    },
    "config.ca_file_missing": {
        "id": (
            "berkas {file} tidak ditemukan; tulis jalur berkas PEM sertifikat CA, relatif "
            "terhadap folder berkas konfigurasi atau absolut"
        ),
        "en": (
            "file {file} not found; write the path of the CA certificates' PEM file, "
            "relative to the configuration file's folder or absolute"
        ),
    },
    "config.ca_file_not_file": {
        "id": "{file} bukan berkas; tulis jalur berkas PEM sertifikat CA",
        "en": "{file} is not a file; write the path of the CA certificates' PEM file",
    },
    "config.ca_file_unreadable": {
        "id": (
            "berkas {file} tidak dapat dibaca: {reason}; beri pengguna layanan pantau "
            "izin membaca berkas itu"
        ),
        "en": ("file {file} cannot be read: {reason}; let the pantau service user read it"),
    },
    "config.ca_file_invalid": {
        "id": (
            "berkas {file} tidak memuat sertifikat PEM yang valid ({reason}); tulis jalur "
            "berkas sertifikat CA dalam format PEM"
        ),
        "en": (
            "file {file} contains no valid PEM certificate ({reason}); write the path of "
            "a CA certificate file in PEM format"
        ),
    },
    "config.insecure_with_ca_file": {
        "id": (
            "insecure_skip_verify = true mematikan pemeriksaan sertifikat, sehingga ca_file "
            "tidak terpakai; hapus salah satu dari keduanya"
        ),
        "en": (
            "insecure_skip_verify = true switches certificate checks off, so ca_file "
            "would be ignored; remove one of the two"
        ),
    },
    "config.expected_tcp_tables": {
        "id": (
            "harus berupa tabel atau daftar tabel yang tidak kosong, bukan {value}; "
            "tulis misalnya {example}"
        ),
        "en": (
            "must be a table or a non-empty array of tables, not {value}; "
            "write for example {example}"
        ),
    },
    "config.empty_ports": {
        "id": "daftar port kosong; tulis paling sedikit satu port, misalnya {example}",
        "en": "the list of ports is empty; write at least one port, for example {example}",
    },
    "config.header_value_not_latin1": {
        "id": (
            "nilai header memuat karakter {character} di luar Latin-1, yang tidak dapat "
            "dikirim dalam header HTTP; ganti dengan karakter ASCII, misalnya tanda hubung "
            "- untuk tanda pisah"
        ),
        "en": (
            "the header value contains the character {character}, which is outside "
            "Latin-1 and cannot be sent in an HTTP header; replace it with ASCII "
            "characters, for example a hyphen - for a dash"
        ),
    },
    "config.tcp_too_many_ports": {
        "id": (
            "pemeriksaan tcp target ini mencantumkan {count} port di ports, lebih dari batas "
            "{limit} port per target; periksa lebih sedikit port, atau bagi port-portnya "
            "ke beberapa target dengan alamat yang sama"
        ),
        "en": (
            "the tcp checks of this target list {count} ports in ports, more than the limit "
            "of {limit} ports per target; check fewer ports, or split them over several "
            "targets with the same address"
        ),
    },
    "config.duplicate_port": {
        "id": ("port {value} sudah tercantum di pemeriksaan tcp target ini; hapus duplikatnya"),
        "en": "port {value} is already listed in this target's tcp checks; remove the duplicate",
    },
    "config.invalid_server_name": {
        "id": (
            'nama server {value} tidak valid; tulis nama host, misalnya "simpeg.example.go.id", '
            "atau alamat IP"
        ),
        "en": (
            'invalid server name {value}; write a host name, for example "simpeg.example.go.id", '
            "or an IP address"
        ),
    },
    "config.dns_server_needed": {
        "id": (
            "alamat target {value} bukan alamat IP, sehingga server DNS harus ditulis; "
            'tambahkan alamat IP server, misalnya server = "198.51.100.53"'
        ),
        "en": (
            "the target's address {value} is not an IP address, so the DNS server must be "
            'written; add the server\'s IP address, for example server = "198.51.100.53"'
        ),
    },
    "config.dns_server_not_ip": {
        "id": (
            "server DNS {value} harus berupa alamat IP, karena Pantau tidak mencari alamat "
            'server DNS; tulis misalnya "198.51.100.53"'
        ),
        "en": (
            "DNS server {value} must be an IP address, because Pantau does not look up "
            'the address of a DNS server; write for example "198.51.100.53"'
        ),
    },
    "config.dns_name_invalid": {
        "id": (
            "nama domain {value} tidak valid; setiap bagian di antara titik berisi 1 sampai 63 "
            'huruf, angka, tanda hubung atau garis bawah, misalnya "simpeg.example.go.id"'
        ),
        "en": (
            "invalid domain name {value}; each label between dots has 1 to 63 letters, "
            'digits, hyphens or underscores, for example "simpeg.example.go.id"'
        ),
    },
    "config.dns_expect_invalid": {
        "id": "{value} bukan jawaban {type} yang valid; tulis misalnya {example}",
        "en": "{value} is not a valid {type} answer; write for example {example}",
    },
    # Secrets from the environment
    "config.invalid_env_name": {
        "id": (
            "harus berisi nama variabel lingkungan (huruf, angka dan garis bawah, tidak "
            "diawali angka), bukan rahasianya sendiri; simpan rahasia di variabel "
            "lingkungan dan tulis namanya di sini, misalnya {example}"
        ),
        "en": (
            "must contain the name of an environment variable (letters, digits and "
            "underscores, not starting with a digit), not the secret itself; put the "
            "secret in an environment variable and write its name here, for example {example}"
        ),
    },
    "config.missing_env": {
        "id": (
            "variabel lingkungan {variable} belum diatur, padahal target {target} "
            "memerlukannya; tambahkan baris {variable}=... ke EnvironmentFile layanan "
            "systemd pantau (misalnya /etc/pantau/pantau.env), atau ekspor variabel itu "
            "sebelum menjalankan pantau"
        ),
        "en": (
            "environment variable {variable} is not set but target {target} needs it; "
            "add a line {variable}=... to the EnvironmentFile of the pantau systemd "
            "service (for example /etc/pantau/pantau.env), or export the variable "
            "before running pantau"
        ),
    },
    "config.missing_env_channel": {
        "id": (
            "variabel lingkungan {variable} belum diatur; tambahkan baris {variable}=... "
            "ke EnvironmentFile layanan systemd pantau (misalnya /etc/pantau/pantau.env), "
            "atau ekspor variabel itu sebelum menjalankan pantau"
        ),
        "en": (
            "environment variable {variable} is not set; add a line {variable}=... to "
            "the EnvironmentFile of the pantau systemd service (for example "
            "/etc/pantau/pantau.env), or export the variable before running pantau"
        ),
    },
    "config.empty_env": {
        "id": (
            "variabel lingkungan {variable} kosong; isi nilainya di EnvironmentFile "
            "layanan systemd pantau atau di shell"
        ),
        "en": (
            "environment variable {variable} is empty; give it a value in the "
            "EnvironmentFile of the pantau systemd service or in the shell"
        ),
    },
    "config.secret_too_short": {
        "id": (
            "nilai variabel lingkungan {variable} lebih pendek dari {minimum} karakter, "
            "panjang minimum kata sandi SNMPv3; gunakan kata sandi yang lebih panjang "
            "di perangkat dan di variabel ini"
        ),
        "en": (
            "the value of environment variable {variable} is shorter than {minimum} "
            "characters, the minimum length of an SNMPv3 passphrase; use a longer "
            "passphrase on the device and in this variable"
        ),
    },
}
