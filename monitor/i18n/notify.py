"""Texts of alert delivery: `pantau notify-test` and the causes and fixes of failed sends."""

MESSAGES = {
    # pantau notify-test
    "cli.help.notify_test": {
        "id": "kirim pesan uji ke setiap kanal sekarang, tanpa antrean, dan tampilkan hasilnya",
        "en": "send a test message to every channel now, bypassing the queue, and show the outcome",
    },
    "notify.ok": {
        "id": "{channel}: OK, pesan uji diterima ({parts} bagian)",
        "en": "{channel}: OK, test message accepted ({parts} part(s))",
    },
    "notify.failed": {
        "id": "{channel}: GAGAL: {cause}\n  Rincian: {detail}\n  Perbaikan: {fix}",
        "en": "{channel}: FAILED: {cause}\n  Detail: {detail}\n  Fix: {fix}",
    },
    "notify.summary": {
        "id": "{ok} kanal berhasil, {failed} gagal",
        "en": "{ok} channel(s) succeeded, {failed} failed",
    },
    "notify.no_channels": {
        "id": "Tidak ada kanal di {file}; tambahkan tabel [[channels]] dengan name dan url_env, lihat docs/id/alerts.md",
        "en": "No channel in {file}; add a [[channels]] table with name and url_env, see docs/alerts.md",
    },
    # Causes of a failed send, one per DeliveryError kind.
    "notify.cause.unauthorized": {
        "id": "token bot atau kredensial salah (HTTP 401)",
        "en": "wrong bot token or credentials (HTTP 401)",
    },
    "notify.cause.forbidden": {
        "id": "bot tidak boleh menulis ke chat ini (HTTP 403)",
        "en": "the bot may not write to this chat (HTTP 403)",
    },
    "notify.cause.not_found": {
        "id": "alamat layanan tidak ditemukan (HTTP 404); pada Telegram artinya token bot salah",
        "en": "service address not found (HTTP 404); for Telegram this means a wrong bot token",
    },
    "notify.cause.chat_not_found": {
        "id": "chat tidak ditemukan",
        "en": "chat not found",
    },
    "notify.cause.rejected": {
        "id": "layanan chat menolak pesan ini",
        "en": "the chat service rejected this message",
    },
    "notify.cause.rate_limited": {
        "id": "dibatasi laju oleh layanan chat (HTTP 429)",
        "en": "rate-limited by the chat service (HTTP 429)",
    },
    "notify.cause.server_error": {
        "id": "layanan chat mengalami kesalahan (HTTP 5xx)",
        "en": "the chat service failed (HTTP 5xx)",
    },
    "notify.cause.unreachable": {
        "id": "layanan chat tidak terjangkau",
        "en": "the chat service is unreachable",
    },
    "notify.cause.timeout": {
        "id": "layanan chat tidak menjawab dalam batas waktu",
        "en": "the chat service did not answer within the timeout",
    },
    "notify.cause.tls": {
        "id": "koneksi TLS ke layanan chat gagal",
        "en": "the TLS connection to the chat service failed",
    },
    "notify.cause.invalid_url": {
        "id": "URL Apprise kanal ini tidak valid",
        "en": "the channel's Apprise URL is invalid",
    },
    "notify.cause.unknown": {
        "id": "layanan chat tidak menerima pesan, tanpa alasan yang dikenali",
        "en": "the chat service did not accept the message, for no recognised reason",
    },
    # Fixes, one per kind.
    "notify.fix.unauthorized": {
        "id": "periksa token di URL kanal (untuk Telegram: token dari BotFather, tgram://TOKEN/CHAT_ID), lalu mulai ulang layanan",
        "en": "check the token in the channel URL (for Telegram: the token from BotFather, tgram://TOKEN/CHAT_ID), then restart the service",
    },
    "notify.fix.forbidden": {
        "id": "tambahkan bot ke grup dan izinkan mengirim pesan; bot yang dikeluarkan harus ditambahkan lagi",
        "en": "add the bot to the group and allow it to send messages; a bot that was removed must be added again",
    },
    "notify.fix.not_found": {
        "id": "periksa URL kanal; untuk Telegram salin lagi token lengkap dari BotFather",
        "en": "check the channel URL; for Telegram copy the whole token from BotFather again",
    },
    "notify.fix.chat_not_found": {
        "id": "periksa CHAT_ID di URL kanal (grup diawali -100) dan pastikan bot sudah anggota grup",
        "en": "check the CHAT_ID in the channel URL (groups start with -100) and that the bot is a member of the group",
    },
    "notify.fix.rejected": {
        "id": "lihat rincian; bila pesan terlalu panjang untuk layanan, turunkan max_length kanal lalu muat ulang (pesan dibuat ulang); pesan tetap di antrean dan dicoba lagi setiap 10 menit",
        "en": "see the detail; if the message is too long for the service, lower the channel's max_length and reload (the message is rendered again); it stays queued and is retried every 10 minutes",
    },
    "notify.fix.rate_limited": {
        "id": "uji lagi setelah jeda yang diminta layanan; peringatan dalam antrean dikirim setelah jeda itu; bila sering terjadi, turunkan rate kanal",
        "en": "test again after the pause the service asks for; queued alerts are sent after that pause; if it recurs, lower the channel's rate",
    },
    "notify.fix.server_error": {
        "id": "layanan chat sedang bermasalah: uji lagi beberapa menit kemudian; peringatan dalam antrean dicoba lagi dengan jeda yang makin panjang",
        "en": "the chat service is failing: test again in a few minutes; queued alerts are retried with growing pauses",
    },
    "notify.fix.unreachable": {
        "id": "periksa DNS, proxy, firewall dan jalur internet mesin ini ke layanan chat",
        "en": "check this machine's DNS, proxy, firewall and internet path to the chat service",
    },
    "notify.fix.timeout": {
        "id": "periksa jalur internet mesin ini ke layanan chat; pesan dicoba lagi dan bisa terkirim dua kali",
        "en": "check this machine's internet path to the chat service; the message is retried and may arrive twice",
    },
    "notify.fix.tls": {
        "id": "periksa jam sistem dan sertifikat CA mesin ini (paket ca-certificates), atau proxy yang memotong TLS",
        "en": "check this machine's clock and CA certificates (the ca-certificates package), or a proxy that intercepts TLS",
    },
    "notify.fix.invalid_url": {
        "id": "perbaiki URL di variabel lingkungan pada url_env kanal; bentuk untuk Telegram: tgram://TOKEN/CHAT_ID",
        "en": "correct the URL in the channel's url_env environment variable; the Telegram form is tgram://TOKEN/CHAT_ID",
    },
    "notify.fix.unknown": {
        "id": "jalankan pantau notify-test dan periksa log; pesan tetap di antrean dan dicoba lagi",
        "en": "run pantau notify-test and check the log; the message stays queued and is retried",
    },
}
