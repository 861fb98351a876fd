//! The second baseline: the same loops as [`crate::baseline`] (same requests, same paging, same
//! end conditions), with every page decoded into hand-written typed serde structs — what a
//! careful user would write from the vendors' documentation: `Option` where a field may be
//! missing or `null`, integers where the vendor sends numbers, JSON-in-string fields decoded
//! into their own structs (wshoto `detail_data`, a dynamic form, into a map), and nothing the
//! SDK does not also do. No lenient readers: a careful user types what the page shows.

// The fields are decoded and visited (black_box), never read one by one: that is the work measured.
#![allow(dead_code, missing_docs)]

use serde::Deserialize;
use serde::de::DeserializeOwned;

/// A number or a string (waiqin sends some ids either way).
#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub enum NumOrText {
    /// A JSON number.
    Num(u64),
    /// A JSON string.
    Text(String),
}

/// wshoto: `{code, data: {total, records}}`.
#[derive(Debug, Deserialize)]
pub struct WshotoEnvelope {
    pub code: i64,
    pub data: Option<WshotoPage>,
}

#[derive(Debug, Deserialize)]
pub struct WshotoPage {
    #[serde(default)]
    pub total: u64,
    #[serde(default)]
    pub records: Vec<CollectDetail>,
}

#[derive(Debug, Deserialize)]
pub struct CollectDetail {
    pub commit_time: Option<i64>,
    pub customer_name: Option<String>,
    pub dept_id: Option<i64>,
    pub detail_data: Option<String>,
    pub detail_status: Option<i64>,
    pub external_userid: Option<String>,
    pub openid: Option<String>,
    pub send_user_id: Option<String>,
    pub unionid: Option<String>,
    pub view_time: Option<i64>,
}

/// weiban: `{errcode, total, result}`.
#[derive(Debug, Deserialize)]
pub struct WeibanPage {
    pub errcode: i64,
    #[serde(default)]
    pub total: u64,
    #[serde(default)]
    pub result: Vec<SmartFormUser>,
}

#[derive(Debug, Deserialize)]
pub struct SmartFormUser {
    pub avatar: Option<String>,
    pub external_user_id: Option<String>,
    pub form_id: Option<u64>,
    pub form_name: Option<String>,
    pub status: Option<String>,
    pub submit_at: Option<i64>,
    pub u_id: Option<u64>,
    pub unionid: Option<String>,
    pub user_city: Option<String>,
    pub user_name: Option<String>,
}

/// waiqin: `{return_code, response_data}`, the records JSON inside `response_data`.
#[derive(Debug, Deserialize)]
pub struct WaiqinEnvelope {
    pub return_code: String,
    pub response_data: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct Task {
    pub task_id: Option<String>,
    pub task_type_id: Option<String>,
    pub task_content: Option<String>,
    pub task_source_id: Option<String>,
    pub task_source_name: Option<String>,
    pub creator: Option<Person>,
    #[serde(default)]
    pub receivers: Vec<Person>,
    pub create_time: Option<String>,
    pub modify_time: Option<String>,
    pub execute_demand: Option<String>,
    pub feedback_deadline: Option<String>,
    pub task_status: Option<String>,
    pub status: Option<NumOrText>,
    pub task_achievement: Option<String>,
    pub visit_implement_id: Option<NumOrText>,
    pub visit_function_id: Option<NumOrText>,
    pub customer_id: Option<NumOrText>,
    #[serde(default)]
    pub feedback_detail: Vec<Feedback>,
    pub latest_feedback_content: Option<String>,
    pub latest_feedback_time: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct Person {
    pub id: Option<NumOrText>,
    pub name: Option<String>,
    pub source_code: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct Feedback {
    pub feedback_content: Option<String>,
    pub feedback_time: Option<String>,
    pub feedback_visit_id: Option<NumOrText>,
}

/// tanma: `{code, data}`.
#[derive(Debug, Deserialize)]
pub struct TanmaEnvelope<T> {
    pub code: i64,
    pub data: Option<T>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CluePage {
    #[serde(default)]
    pub list: Vec<Clue>,
    pub next_cursor: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Clue {
    pub customer_id: Option<u64>,
    pub is_clue: Option<bool>,
    pub r#type: Option<i64>,
    #[serde(default)]
    pub fields: Vec<ClueField>,
    #[serde(default)]
    pub tag_ids: Vec<String>,
    pub create_time: Option<String>,
    pub last_update_time: Option<String>,
    pub company_info: Option<Company>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ClueField {
    pub field: String,
    pub r#type: Option<i64>,
    pub value_as_text: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct Company {
    pub id: Option<u64>,
    pub name: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct FilePage {
    #[serde(default)]
    pub result: Vec<CustomerFile>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CustomerFile {
    pub id: u64,
    pub corpid: Option<String>,
    pub customer_id: Option<u64>,
    pub sales_id: Option<u64>,
    pub operator_id: Option<u64>,
    pub author_name: Option<String>,
    pub file_name: Option<String>,
    pub file_content: Option<String>,
    pub follow_content: Option<String>,
    pub create_time: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FileContent {
    pub name: Option<String>,
    pub url: Option<String>,
    pub size: Option<String>,
    pub r#type: Option<String>,
    pub file_id: Option<String>,
}

/// Decodes a JSON-in-string field into `T`, as a user who needs its contents would.
pub fn inner<T: DeserializeOwned>(text: Option<&str>) -> Option<T> {
    text.filter(|t| !t.is_empty())
        .and_then(|t| serde_json::from_str(t).ok())
}
