//! Forms with photos (`multipart/form-data`): the text fields, and the photos chosen or
//! taken with the phone's camera, each stored through the store's upload check. Pages use
//! it for reports and handling results; the JSON API takes `POST /uploads` instead.
use std::collections::HashMap;

use axum::extract::{Form, FromRequest, Multipart, Request};
use axum::http::header::CONTENT_TYPE;
use wangge_domain::photo::MAX_PHOTO_BYTES;
use wangge_store::Store;
use wangge_store::uploads::{MAX_PHOTOS, Uploader};

/// A whole form with its photos may be this large; larger ones are refused unread.
pub const MAX_FORM_BYTES: usize = 3 * MAX_PHOTO_BYTES;

/// The file inputs' name.
const PHOTO_FIELD: &str = "photo";

/// A page form as posted: `multipart/form-data` (with photos) or a plain urlencoded form
/// (old browsers, forms without a file input); what went wrong reading it, in Chinese.
pub struct AnyForm(pub Result<PhotoForm, String>);

impl<S: Send + Sync> FromRequest<S> for AnyForm {
    type Rejection = std::convert::Infallible;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let multipart = req
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("multipart/form-data"));
        let form = if multipart {
            match Multipart::from_request(req, state).await {
                Ok(m) => PhotoForm::read(m).await,
                Err(_) => Err("表单格式无效，请刷新页面后重试".to_string()),
            }
        } else {
            match Form::<HashMap<String, String>>::from_request(req, state).await {
                Ok(Form(fields)) => Ok(PhotoForm {
                    fields,
                    photos: Vec::new(),
                }),
                Err(e) if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE => {
                    Err("表单内容过大".to_string())
                }
                Err(_) => Err("表单格式无效，请刷新页面后重试".to_string()),
            }
        };
        Ok(AnyForm(form))
    }
}

/// A read form: its text fields and the photo bytes (empty file inputs left out).
pub struct PhotoForm {
    pub fields: HashMap<String, String>,
    pub photos: Vec<Vec<u8>>,
}

impl PhotoForm {
    pub fn get(&self, key: &str) -> String {
        self.fields
            .get(key)
            .map(|v| v.trim().to_string())
            .unwrap_or_default()
    }

    pub fn opt(&self, key: &str) -> Option<String> {
        Some(self.get(key)).filter(|v| !v.is_empty())
    }

    /// Reads the whole form, or a Chinese sentence saying what is wrong with it.
    pub async fn read(mut m: Multipart) -> Result<PhotoForm, String> {
        let mut form = PhotoForm {
            fields: HashMap::new(),
            photos: Vec::new(),
        };
        loop {
            let field = match m.next_field().await {
                Ok(Some(f)) => f,
                Ok(None) => return Ok(form),
                Err(e) if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE => {
                    return Err(format!(
                        "照片总大小超过上限 {} MB",
                        MAX_FORM_BYTES / 1024 / 1024
                    ));
                }
                Err(_) => return Err("表单上传不完整，请重试".into()),
            };
            let name = field.name().unwrap_or_default().to_string();
            let is_file = field.file_name().is_some();
            let bytes = field
                .bytes()
                .await
                .map_err(|_| "表单上传不完整，请重试".to_string())?;
            if name == PHOTO_FIELD && is_file {
                if bytes.is_empty() {
                    continue;
                }
                if bytes.len() > MAX_PHOTO_BYTES {
                    return Err(format!(
                        "照片过大：每张上限为 {} MB",
                        MAX_PHOTO_BYTES / 1024 / 1024
                    ));
                }
                if form.photos.len() == MAX_PHOTOS {
                    return Err(format!("照片最多{MAX_PHOTOS}张"));
                }
                form.photos.push(bytes.to_vec());
            } else {
                form.fields
                    .insert(name, String::from_utf8_lossy(&bytes).into_owned());
            }
        }
    }

    /// Stores the photos (checked by content, EXIF removed) and answers their references.
    pub async fn store_photos(
        &self,
        store: &Store,
        uploader: Uploader,
    ) -> Result<Vec<String>, String> {
        let mut refs = Vec::with_capacity(self.photos.len());
        for (i, bytes) in self.photos.iter().enumerate() {
            let up = store
                .save_upload(uploader, bytes)
                .await
                .map_err(|e| format!("第{}张照片：{e}", i + 1))?;
            refs.push(up.reference);
        }
        Ok(refs)
    }
}
