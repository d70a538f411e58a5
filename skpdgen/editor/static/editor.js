/* skpdgen: the editor's Indonesian interface, the theme's look in the preview, the checks
   skpdgen makes at build time made before saving, then start the editor. */
(function () {
  "use strict";
  var CMS = window.CMS;
  var script = document.currentScript;
  if (!CMS || !script) { return; }

  var id = {
    auth: { login: "Masuk", loggingIn: "Sedang masuk…", loginWithGitHub: "Masuk dengan GitHub",
      loginWithGitLab: "Masuk dengan GitLab", loginWithGitea: "Masuk dengan Gitea" },
    app: {
      header: { content: "Konten", workflow: "Alur kerja", media: "Media", quickAdd: "Tambah cepat" },
      app: { errorHeader: "Konfigurasi editor gagal dimuat", configErrors: "Kesalahan konfigurasi",
        checkConfigYml: "Periksa config.yml.", loadingConfig: "Memuat konfigurasi…",
        waitingBackend: "Menunggu server…" },
      notFoundPage: { header: "Tidak ditemukan" }
    },
    collection: {
      sidebar: { collections: "Koleksi", allCollections: "Semua koleksi", searchAll: "Cari semua",
        searchIn: "Cari di" },
      collectionTop: { sortBy: "Urutkan", viewAs: "Tampilan", viewAsList: "Daftar",
        viewAsGrid: "Kisi", newButton: "＋ %{collectionLabel} baru",
        newButtonAriaLabel: "Buat %{collectionLabel} baru", ascending: "Naik", descending: "Turun",
        filterBy: "Saring", groupBy: "Kelompokkan" },
      entries: { loadingEntries: "Memuat isi…", cachingEntries: "Menyiapkan isi…",
        longerLoading: "Ini bisa memakan beberapa menit", noEntries: "Belum ada isi" },
      defaultFields: { author: { label: "Penulis" }, updatedOn: { label: "Diperbarui" } }
    },
    editor: {
      editorControl: { field: { optional: "tidak wajib" } },
      editorControlPane: { widget: {
        required: "%{fieldLabel} wajib diisi.",
        regexPattern: "%{fieldLabel} tidak sesuai format: %{pattern}.",
        processing: "%{fieldLabel} sedang diproses.",
        range: "%{fieldLabel} harus antara %{minValue} dan %{maxValue}.",
        min: "%{fieldLabel} paling kecil %{minValue}.", max: "%{fieldLabel} paling besar %{maxValue}.",
        invalidPath: "'%{path}' bukan alamat yang benar", pathExists: "Alamat '%{path}' sudah dipakai" } },
      editor: { onLeavePage: "Yakin meninggalkan halaman ini? Perubahan yang belum disimpan akan hilang.",
        onUpdatingWithUnsavedChanges: "Ada perubahan yang belum disimpan: simpan dulu.",
        onPublishingNotReady: "Ubah status menjadi \"Siap\" sebelum menerbitkan.",
        onPublishingWithUnsavedChanges: "Ada perubahan yang belum disimpan: simpan dulu sebelum menerbitkan.",
        onPublishing: "Terbitkan isi ini?", onDeleteWithUnsavedChanges: "Hapus isi ini beserta perubahan yang belum disimpan?",
        onDeletePublishedEntry: "Hapus isi yang sudah terbit ini?", loadingEntry: "Memuat…" },
      editorToolbar: { publishing: "Menerbitkan…", publish: "Terbitkan", published: "Terbit",
        unpublish: "Batalkan terbit", duplicate: "Gandakan", publishAndCreateNew: "Terbitkan dan buat baru",
        publishAndDuplicate: "Terbitkan dan gandakan", deleteUnpublishedChanges: "Hapus perubahan",
        deleteEntry: "Hapus", saving: "Menyimpan…", save: "Simpan", statusInfo: "Status",
        deleting: "Menghapus…", updating: "Memperbarui…", status: "Status: %{readyStatus}",
        backCollection: "Menulis di %{collectionLabel}", unsavedChanges: "Belum disimpan",
        changesSaved: "Tersimpan", draft: "Draf", inReview: "Ditinjau", ready: "Siap",
        publishNow: "Terbitkan sekarang", deployPreviewPendingButtonLabel: "Cek pratinjau",
        deployPreviewButtonLabel: "Lihat pratinjau", deployButtonLabel: "Lihat di situs" },
      editorWidgets: {
        markdown: { bold: "Tebal", italic: "Miring", code: "Kode", link: "Tautan",
          linkPrompt: "Masukkan alamat tautan", headings: "Judul bagian",
          quote: "Kutipan", bulletedList: "Daftar berbutir", numberedList: "Daftar bernomor",
          addComponent: "Tambah komponen", richText: "Teks", markdown: "Markdown" },
        image: { choose: "Pilih gambar", chooseUrl: "Masukkan URL", replaceUrl: "Ganti URL",
          promptUrl: "Masukkan URL gambar", chooseDifferent: "Pilih gambar lain", remove: "Hapus gambar" },
        file: { choose: "Pilih berkas", chooseUrl: "Masukkan URL", chooseDifferent: "Pilih berkas lain",
          remove: "Hapus berkas" },
        list: { add: "Tambah %{item}", addType: "Tambah %{item}" },
        datetime: { now: "Sekarang", clear: "Kosongkan" }
      }
    },
    mediaLibrary: {
      mediaLibraryCard: { draft: "Draf" },
      mediaLibrary: { onDeleteBody: "Hapus media ini?" },
      mediaLibraryModal: { loading: "Memuat…", noResults: "Tidak ada hasil.", noAssetsFound: "Belum ada media.",
        noImagesFound: "Belum ada gambar.", images: "Gambar", mediaAssets: "Media",
        search: "Cari…", uploading: "Mengunggah…", upload: "Unggah", download: "Unduh",
        deleting: "Menghapus…", deleteSelected: "Hapus yang dipilih", chooseSelected: "Pakai yang dipilih" }
    },
    ui: {
      default: { goBackToSite: "Kembali ke situs" },
      errorBoundary: { title: "Terjadi kesalahan" },
      settingsDropdown: { logOut: "Keluar" },
      toast: { onFailToLoadEntries: "Gagal memuat isi: %{details}",
        onFailToPersist: "Gagal menyimpan: %{details}", onFailToDelete: "Gagal menghapus: %{details}",
        onFailToUpdateStatus: "Gagal mengubah status: %{details}",
        missingRequiredField: "Ada isian wajib yang kosong: lengkapi sebelum menyimpan.",
        entrySaved: "Tersimpan", entryPublished: "Terbit", entryUnpublished: "Batal terbit",
        onFailToPublishEntry: "Gagal menerbitkan: %{details}",
        onLoggedOut: "Anda telah keluar. Simpan pekerjaan lalu masuk lagi.",
        onBackendDown: "Layanan git sedang terganggu. Coba lagi nanti." }
    },
    workflow: {
      workflow: { loading: "Memuat alur kerja", workflowHeading: "Alur kerja",
        newPost: "Tulisan baru", description: "%{smart_count} tulisan menunggu ditinjau, %{readyCount} siap terbit." },
      workflowList: { onDeleteEntry: "Hapus tulisan ini?", draftHeader: "Draf",
        inReviewHeader: "Ditinjau", readyHeader: "Siap", currentEntries: "tulisan" }
    }
  };
  CMS.registerLocale("id", id);

  var css = script.getAttribute("data-preview-css");
  // the preview frame has no base URL of its own: give it the stylesheet's full address
  if (css) { CMS.registerPreviewStyle(new URL(css, location.href).href); }

  // What the build would refuse, refused before saving (the message is the toast).
  CMS.registerEventListener({
    name: "preSave",
    handler: function (event) {
      var data = event.entry.get("data");
      var image = data.get("image");
      var alt = data.get("image_alt");
      if (image && !(alt && String(alt).trim())) {
        throw new Error("gambar utama wajib punya teks alternatif (alt): isi " +
          "\"Teks alternatif gambar\" dengan penjelasan isi gambar");
      }
      var body = String(data.get("body") || "");
      var match = /!\[\s*\]\(([^)]+)\)/.exec(body);
      if (match) {
        throw new Error("gambar di isi tulisan tanpa teks alternatif (alt): " + match[1] +
          " — tulis ![penjelasan gambar](" + match[1] + ")");
      }
      return undefined;
    }
  });

  CMS.init();
})();
