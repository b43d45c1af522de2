//! Reading a PDF's text back with `pdftotext` (Debian's poppler-utils), as a person copying
//! it out of a viewer would get it.

/// The PDF's text, or `None` when `pdftotext` is not installed.
pub fn pdf_text(pdf: &[u8]) -> Result<Option<String>, String> {
    let dir = std::env::temp_dir().join(format!(
        "wangge-pdf-text-{}-{:?}",
        std::process::id(),
        std::thread::current().id()
    ));
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    let path = dir.join("read.pdf");
    std::fs::write(&path, pdf).map_err(|e| e.to_string())?;
    let out = std::process::Command::new("pdftotext")
        .args(["-enc", "UTF-8"])
        .arg(&path)
        .arg("-")
        .output();
    let _ = std::fs::remove_dir_all(&dir);
    match out {
        Err(_) => Ok(None),
        Ok(o) if o.status.success() => Ok(Some(String::from_utf8_lossy(&o.stdout).into_owned())),
        Ok(o) => Err(format!("pdftotext: {}", String::from_utf8_lossy(&o.stderr))),
    }
}
