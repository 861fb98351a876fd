//! The deterministic, seeded dataset the sandbox pages through.
//!
//! Record `i` of a population is a pure function of `(seed, population, i)`: nothing is
//! stored, so a dataset of a million records per operation costs no memory. Records are laid
//! out in ascending time order (about one year starting 2024-01-01 China time, whatever the
//! size), so time-range filters become index ranges found by binary search. Any other filter
//! is evaluated by one linear scan whose result (a list of indices) is cached, so paging a
//! filtered query is `O(page size)` after its first page. Mutations (appended records, changed
//! records) are a small overlay per population: appended batches and a map of changed indices.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use crate::doubles as ops;
use crate::engine::{Method, OpDecl, Pop, Size};
use crate::util::{
    TimeFmt, fmt_cst, mix, parse_cst_date, parse_cst_datetime, push_cst, push_int, push_json_str,
    push_key,
};

/// A served operation, from [`Dataset::operation`].
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Operation {
    /// Vendor name (`wshoto`, ...).
    pub vendor: &'static str,
    /// CLI name (`collect-details`, ...).
    pub name: &'static str,
    /// `GET` or `POST`.
    pub method: &'static str,
    /// Documented path (waiqin: the `/api/{module}/{version}/{op}` prefix).
    pub path: &'static str,
    /// Paging style (`page number + total`, `offset`, `page/rows, no total`, `cursor`,
    /// `keyset`, `none`).
    pub paging: &'static str,
    /// Request fields that select records (documented filters).
    pub filters: Vec<&'static str>,
    /// Records in the operation's population now (appended ones included).
    pub records: usize,
    /// Source and fidelity of the declaration.
    pub note: &'static str,
}

/// One of the four vendors.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Vendor {
    /// 微盛·企微管家 (token in the query, `code`/`msg` envelope).
    Wshoto,
    /// 微伴助手 (token in the query, flat `errcode`/`errmsg` envelope).
    Weiban,
    /// 外勤365 (MD5 digest in the path, string `return_code` envelope).
    Waiqin,
    /// 探马SCRM (SHA-256 signature in headers, `code`/`message` envelope).
    Tanma,
}

impl Vendor {
    /// All vendors, in a fixed order.
    pub const ALL: [Vendor; 4] = [
        Vendor::Wshoto,
        Vendor::Weiban,
        Vendor::Waiqin,
        Vendor::Tanma,
    ];

    /// Lower-case name (`"wshoto"`, `"weiban"`, `"waiqin"`, `"tanma"`).
    pub fn name(self) -> &'static str {
        match self {
            Vendor::Wshoto => "wshoto",
            Vendor::Weiban => "weiban",
            Vendor::Waiqin => "waiqin",
            Vendor::Tanma => "tanma",
        }
    }

    pub(crate) fn idx(self) -> usize {
        self as usize
    }
}

impl std::fmt::Display for Vendor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// The six seed operations the sandbox serves data for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Op {
    /// wshoto `POST /openapi/collect/detail/page` (page number + total).
    WshotoCollectDetailPage,
    /// weiban `GET /open-api/smart_form/form/user/list` (offset + total).
    WeibanSmartFormUserList,
    /// waiqin `POST /api/cusTask/v1/queryTask/...` (page/rows, no total).
    WaiqinQueryTask,
    /// waiqin `POST /api/cusTask/v1/queryTaskType/...` (no paging).
    WaiqinQueryTaskType,
    /// tanma `POST /api/v3/clue/list-by-create-time-asc` (cursor).
    TanmaClueListByCreateTimeAsc,
    /// tanma `POST /api/v3/customer/list-file-of-customer` (lastId keyset).
    TanmaCustomerListFileOfCustomer,
}

impl Op {
    /// All operations, in a fixed order.
    pub const ALL: [Op; 6] = [
        Op::WshotoCollectDetailPage,
        Op::WeibanSmartFormUserList,
        Op::WaiqinQueryTask,
        Op::WaiqinQueryTaskType,
        Op::TanmaClueListByCreateTimeAsc,
        Op::TanmaCustomerListFileOfCustomer,
    ];

    /// The vendor serving this operation.
    pub fn vendor(self) -> Vendor {
        match self {
            Op::WshotoCollectDetailPage => Vendor::Wshoto,
            Op::WeibanSmartFormUserList => Vendor::Weiban,
            Op::WaiqinQueryTask | Op::WaiqinQueryTaskType => Vendor::Waiqin,
            Op::TanmaClueListByCreateTimeAsc | Op::TanmaCustomerListFileOfCustomer => Vendor::Tanma,
        }
    }

    /// The documented path (for waiqin: the `/api/{module}/{version}/{op}` prefix).
    pub fn path(self) -> &'static str {
        match self {
            Op::WshotoCollectDetailPage => "/openapi/collect/detail/page",
            Op::WeibanSmartFormUserList => "/open-api/smart_form/form/user/list",
            Op::WaiqinQueryTask => "/api/cusTask/v1/queryTask",
            Op::WaiqinQueryTaskType => "/api/cusTask/v1/queryTaskType",
            Op::TanmaClueListByCreateTimeAsc => "/api/v3/clue/list-by-create-time-asc",
            Op::TanmaCustomerListFileOfCustomer => "/api/v3/customer/list-file-of-customer",
        }
    }

    pub(crate) fn idx(self) -> usize {
        self as usize
    }
}

/// Filters of wshoto `collect/detail/page` (all optional; times are inclusive, in seconds).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct WshotoFilter {
    /// `form_id` (sent as a number or a string on the wire).
    pub form_id: Option<u64>,
    /// `send_user_id`, exact match.
    pub send_user_id: Option<String>,
    /// `detail_status`: 0 viewed, 1 filled not submitted, 2 submitted.
    pub detail_status: Option<i64>,
    /// `start_commit_time` (inclusive).
    pub start_commit_time: Option<i64>,
    /// `end_commit_time` (inclusive).
    pub end_commit_time: Option<i64>,
}

/// Filters of weiban `smart_form/form/user/list`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct WeibanFilter {
    /// `status`; every sandbox record is `"submit"`, other values match nothing, `None` matches all.
    pub status: Option<String>,
    /// `form_id`.
    pub form_id: Option<u64>,
    /// `city`: matches records whose `user_city` contains it (`武汉` matches `武汉市`).
    pub city: Option<String>,
    /// `start_time` on `submit_at` (inclusive, seconds).
    pub start_time: Option<i64>,
    /// `end_time` on `submit_at` (inclusive, seconds).
    pub end_time: Option<i64>,
}

/// Filters of waiqin `cusTask/v1/queryTask`: China-time days `yyyy-MM-dd`, both ends inclusive.
/// Unparseable dates are ignored here (the server rejects them).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct WaiqinTaskFilter {
    /// `create_date_from`.
    pub create_date_from: Option<String>,
    /// `create_date_to`.
    pub create_date_to: Option<String>,
    /// `modify_date_from`.
    pub modify_date_from: Option<String>,
    /// `modify_date_to`.
    pub modify_date_to: Option<String>,
}

/// Filters of tanma `clue/list-by-create-time-asc`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TanmaClueFilter {
    /// `since` (`yyyy-MM-dd HH:mm:ss`, inclusive).
    pub since: Option<String>,
    /// `before` (`yyyy-MM-dd HH:mm:ss`, exclusive).
    pub before: Option<String>,
    /// `type` (1 or 2).
    pub clue_type: Option<i64>,
}

/// Filters of tanma `customer/list-file-of-customer`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TanmaFileFilter {
    /// `salesId` (the example's field).
    pub sales_id: Option<u64>,
    /// `userId` (the table's field): the sales person's WeCom userid, or the decimal salesId.
    pub user_id: Option<String>,
    /// `customerId`.
    pub customer_id: Option<u64>,
    /// `externalUserId`.
    pub external_user_id: Option<String>,
}

/// A query whose expected result a test can compute with [`Dataset::expected_keys`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Query {
    /// wshoto collect details.
    WshotoCollectDetail(WshotoFilter),
    /// weiban smart-form users.
    WeibanSmartFormUsers(WeibanFilter),
    /// waiqin tasks.
    WaiqinTasks(WaiqinTaskFilter),
    /// waiqin task types with these `type_ids` (empty = all types).
    WaiqinTaskTypes(Vec<String>),
    /// tanma clues.
    TanmaClues(TanmaClueFilter),
    /// tanma customer files.
    TanmaCustomerFiles(TanmaFileFilter),
}

/// A tanma sales person of the dataset.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TanmaSales {
    /// Numeric `salesId`.
    pub sales_id: u64,
    /// WeCom `userId`.
    pub user_id: String,
    /// Display name (`authorName`).
    pub name: String,
}

/// Identifiers of the dataset that requests may filter on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fixtures {
    /// wshoto collect form ids (19 digits, above 2^53).
    pub wshoto_form_ids: Vec<u64>,
    /// wshoto `send_user_id`s.
    pub wshoto_send_user_ids: Vec<String>,
    /// weiban smart-form ids.
    pub weiban_form_ids: Vec<u64>,
    /// Cities appearing in weiban `user_city`.
    pub weiban_cities: Vec<String>,
    /// waiqin task type ids (19-digit strings).
    pub waiqin_task_type_ids: Vec<String>,
    /// tanma sales people.
    pub tanma_sales: Vec<TanmaSales>,
    /// tanma `corpid`.
    pub tanma_corp_id: String,
    /// wshoto group `chat_id`s (group-members requires one).
    pub wshoto_chat_ids: Vec<String>,
    /// weiban external user ids of the first customers (customer, customers-batch,
    /// customer-stages, customer-events).
    pub weiban_customer_ids: Vec<String>,
    /// weiban unionids of the first customers that have one.
    pub weiban_unionids: Vec<String>,
    /// weiban `group_chat_id`s of the first chats.
    pub weiban_group_chat_ids: Vec<String>,
    /// weiban `staff_id`s.
    pub weiban_staff_ids: Vec<String>,
    /// tanma WeCom `externalUserId`s of the first customers (customer-details).
    pub tanma_external_user_ids: Vec<String>,
}

/// Number of waiqin task types.
pub const WAIQIN_TASK_TYPES: usize = 12;
pub(crate) const BASE_TIME: i64 = 1_704_038_400; // 2024-01-01 00:00:00 +08:00
const SPAN: i64 = 365 * 86_400;
/// After every generated time (modification offsets included): the first mutation's "now".
pub(crate) const DATA_END: i64 = BASE_TIME + SPAN + 180 * 86_400;

/// The time of a mutation: about the wall clock, as a live vendor stamps a change — two
/// minutes before it, so that the records of one mutation (a second apart) are all in the past
/// for a reader's window ending now — and always after the previous mutation and every
/// generated time.
fn next_mutation_time(previous: i64) -> i64 {
    let wall = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX / 4));
    (previous + 1).max(wall - 120)
}
const CACHE_ENTRIES: usize = 16;

// Field salts.
pub(crate) const F_TIME: u64 = 1;
pub(crate) const F_FORM: u64 = 2;
pub(crate) const F_SENDER: u64 = 3;
pub(crate) const F_STATUS: u64 = 4;
pub(crate) const F_NAME: u64 = 5;
pub(crate) const F_ID: u64 = 6;
pub(crate) const F_ID2: u64 = 7;
pub(crate) const F_CITY: u64 = 8;
pub(crate) const F_MISC: u64 = 9;
pub(crate) const F_MISC2: u64 = 10;
pub(crate) const F_MOD: u64 = 11;
pub(crate) const F_TYPE: u64 = 12;
pub(crate) const F_CUST: u64 = 13;
pub(crate) const F_BIG: u64 = 14;
pub(crate) const F_TEXT: u64 = 15;
pub(crate) const F_PHONE: u64 = 16;

pub(crate) const SURNAMES: [&str; 20] = [
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭",
    "何", "高", "林", "罗",
];
pub(crate) const GIVEN: [&str; 24] = [
    "慧琳", "子涵", "浩然", "欣怡", "梓轩", "雨萱", "俊杰", "诗涵", "宇航", "思远", "佳怡", "明轩",
    "晓东", "丽娟", "建国", "秀英", "志强", "海燕", "伟", "娜", "敏", "静", "磊", "洋",
];
pub(crate) const NICKNAMES: [&str; 16] = [
    "幽默的魂",
    "永远有多远",
    "Cosmos",
    "晴天☀️",
    "小确幸",
    "追风少年",
    "向日葵",
    "风中的蒲公英",
    "简单点",
    "A王先生-装修",
    "Lily🌸",
    "阿杰",
    "一路向北",
    "\"快乐\"每一天",
    "静待花开",
    "大橙子🍊",
];
pub(crate) const CITIES: [(&str, &str, &str); 16] = [
    ("武汉市", "湖北省", "420100"),
    ("南昌市", "江西省", "360100"),
    ("北京市", "北京市", "110100"),
    ("上海市", "上海市", "310100"),
    ("广州市", "广东省", "440100"),
    ("深圳市", "广东省", "440300"),
    ("杭州市", "浙江省", "330100"),
    ("成都市", "四川省", "510100"),
    ("南京市", "江苏省", "320100"),
    ("西安市", "陕西省", "610100"),
    ("长沙市", "湖南省", "430100"),
    ("重庆市", "重庆市", "500100"),
    ("苏州市", "江苏省", "320500"),
    ("郑州市", "河南省", "410100"),
    ("合肥市", "安徽省", "340100"),
    ("厦门市", "福建省", "350200"),
];
pub(crate) const STREETS: [&str; 8] = [
    "中山路",
    "解放大道",
    "人民路",
    "建设大道",
    "长江路",
    "和平街",
    "新华路",
    "光谷大道",
];
const WEIBAN_FORMS: [&str; 3] = [
    "春季新品试用报名表",
    "客户满意度调查问卷",
    "门店到店预约登记表",
];
const INTENTS: [&str; 6] = [
    "希望了解企业版价格",
    "想预约周末到店体验",
    "对比了几家，还在考虑",
    "需要发票，抬头见附件",
    "朋友推荐来的",
    "",
];
const TASK_CONTENTS: [&str; 8] = [
    "请于本周内完成门店陈列检查并拍照上传",
    "回访客户了解新品试用反馈",
    "收集竞品促销价格信息（含照片）",
    "跟进上月应收账款回款情况",
    "协助门店完成月度库存盘点",
    "拜访重点客户洽谈年度合同续签",
    "处理客户投诉：配送延迟两天",
    "派发新品样品并登记客户信息",
];
const FEEDBACKS: [&str; 6] = [
    "已完成，照片已上传",
    "客户反馈良好，计划下周下单",
    "竞品正在做\"买二送一\"活动",
    "客户暂时不在，约定明天再访",
    "已回款50%，剩余月底结清",
    "库存盘点完成，差异已说明\n详见附件",
];
const TASK_SOURCES: [&str; 4] = ["拜访计划", "客户投诉", "总部下发", "临时任务"];
const ACHIEVEMENTS: [&str; 4] = ["已完成", "部分完成", "未完成", ""];
pub(crate) const EMPLOYEES: [&str; 8] = [
    "张伟", "李娜", "王芳", "刘洋", "陈静", "杨磊", "赵敏", "周杰",
];
const TASK_TYPE_NAMES: [&str; WAIQIN_TASK_TYPES] = [
    "门店巡检",
    "新品陈列检查",
    "客户回访",
    "竞品信息收集",
    "促销活动执行",
    "应收账款催收",
    "库存盘点",
    "终端拜访",
    "投诉处理",
    "合同续签提醒",
    "样品派发",
    "test-不允许从相册选取",
];
pub(crate) const TANMA_SALES: [(&str, &str); 6] = [
    ("ZhangWei", "张伟"),
    ("LiNa", "李娜"),
    ("WangFang", "王芳"),
    ("LiuYang", "刘洋"),
    ("ChenJing", "陈静"),
    ("YangLei", "杨磊"),
];
pub(crate) const DESCRIPTIONS: [&str; 6] = [
    "老客户转介绍，意向较强",
    "展会现场获取的名片",
    "官网留资，咨询企业版价格",
    "抖音广告线索",
    "需要发送产品手册",
    "u 诶IE",
];
pub(crate) const COMPANIES: [&str; 6] = [
    "武汉光谷智能科技有限公司",
    "南京掌控网络科技有限公司",
    "杭州云帆信息技术有限公司",
    "深圳前海微联科技有限公司",
    "成都天府软件园服务中心",
    "上海浦江数据服务有限公司",
];
const FILES: [(&str, &str); 6] = [
    ("产品报价单2024", "xlsx"),
    ("合同扫描件", "pdf"),
    ("客户需求调研问卷", "docx"),
    ("方案演示", "pptx"),
    ("营业执照副本", "jpg"),
    ("0.0.2-SNAPSHOT", "rar"),
];
pub(crate) const FOLLOWS: [&str; 4] = [
    "已发送报价单，等待客户确认",
    "客户要求修改合同付款条款",
    "补充上传营业执照",
    "演示方案已讲解，客户比较满意",
];

pub(crate) const ALNUM: &[u8; 64] =
    b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
pub(crate) const LOWER: &[u8; 36] = b"abcdefghijklmnopqrstuvwxyz0123456789";

pub(crate) fn pick<T: Copy>(pool: &[T], h: u64) -> T {
    pool[(h % pool.len() as u64) as usize]
}

/// Appends `n` pseudo-random characters of `alphabet` drawn from `h`.
pub(crate) fn push_rand(out: &mut String, h: u64, n: usize, alphabet: &[u8]) {
    let len = alphabet.len() as u64;
    let mut state = mix(h);
    let mut cur = state;
    for k in 0..n {
        if k > 0 && k % 8 == 0 {
            state = mix(state.wrapping_add(0x9E37_79B9_7F4A_7C15));
            cur = state;
        }
        out.push(char::from(alphabet[(cur % len) as usize]));
        cur /= len;
    }
}

/// Appends 6 characters over [`ALNUM`] encoding a bijective scramble of `i` (keeps generated
/// ids unique without looking sequential).
pub(crate) fn push_idx(out: &mut String, i: u64, salt: u64) {
    const MASK: u64 = (1 << 36) - 1;
    let x = (i.wrapping_mul(0x9E37_79B1).wrapping_add(mix(salt))) & MASK;
    for k in (0..6).rev() {
        out.push(char::from(ALNUM[((x >> (6 * k)) & 63) as usize]));
    }
}

pub(crate) fn push_hex(out: &mut String, h: u64, n: usize) {
    push_rand(out, h, n, b"0123456789abcdef");
}

/// A 19-digit id above 2^53 (and below i64::MAX).
pub(crate) fn id19(h: u64) -> u64 {
    4_600_000_000_000_000_000 + mix(h) % 4_000_000_000_000_000_000
}

pub(crate) fn push_name(out: &mut String, h: u64) {
    out.push_str(pick(&SURNAMES, h));
    out.push_str(pick(&GIVEN, h >> 16));
}

pub(crate) fn push_mobile(out: &mut String, h: u64) {
    out.push('1');
    out.push(char::from(pick(b"35789", h)));
    push_int(out, 100_000_000 + (h >> 8) % 900_000_000);
}

/// One record being generated: its index, its time on the population's axis and, once
/// mutated, its modification time and content version.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Rec {
    /// Population salt (the hash input of the record's fields).
    pub(crate) salt: u64,
    /// Index in the population.
    pub(crate) i: usize,
    /// Time on the population's axis (Unix seconds), strictly increasing in `i`.
    pub(crate) t: i64,
    /// Modification time set by a mutation (appended records: their creation time).
    pub(crate) m: Option<i64>,
    /// Content version: 0 as generated, +1 per change.
    pub(crate) v: u32,
}

impl Rec {
    /// The modification time: the mutation's, else `t + offset`.
    pub(crate) fn modified(&self, offset: i64) -> i64 {
        self.m.unwrap_or(self.t + offset)
    }
}

/// The state of one population: its size, appended batches and changed records.
#[derive(Clone, Debug)]
pub(crate) struct PopView {
    salt: u64,
    base: usize,
    len: usize,
    step: i64,
    /// `(first index, time of that index)` of each appended batch.
    batches: Vec<(usize, i64)>,
    /// index → (version, modification time).
    changes: HashMap<usize, (u32, i64)>,
    /// Bumped by every mutation (cache keys include it).
    pub(crate) generation: u64,
}

impl PopView {
    /// Number of records.
    pub(crate) fn len(&self) -> usize {
        self.len
    }

    /// Record `i` as the generators see it.
    pub(crate) fn rec(&self, d: &Dataset, i: usize) -> Rec {
        let t = self.time(d, i);
        let (v, m) = match self.changes.get(&i) {
            Some(&(v, m)) => (v, Some(m)),
            None if i >= self.base => (0, Some(t)),
            None => (0, None),
        };
        Rec {
            salt: self.salt,
            i,
            t,
            m,
            v,
        }
    }

    fn time(&self, d: &Dataset, i: usize) -> i64 {
        if i < self.base {
            let i64i = i64::try_from(i).unwrap_or(i64::MAX / 2);
            BASE_TIME + i64i * self.step + (d.hsalt(self.salt, i, F_TIME) % self.step as u64) as i64
        } else {
            let (start, t0) = self
                .batches
                .iter()
                .rev()
                .find(|(s, _)| *s <= i)
                .copied()
                .unwrap_or((self.base, DATA_END));
            t0 + i64::try_from(i - start).unwrap_or(0)
        }
    }
}

/// A cached scan: the matching indices, or `None` when every index of the range matched.
type CachedScan = Option<Arc<Vec<u32>>>;

/// The seeded dataset. Cheap to create; see the module docs for the layout.
#[derive(Debug)]
pub struct Dataset {
    seed: u64,
    records: usize,
    cache: Mutex<Vec<(String, CachedScan)>>,
    pops: Mutex<HashMap<u64, Arc<PopView>>>,
    /// Dataset "now" for mutations (Unix seconds), after every generated time.
    clock: Mutex<i64>,
    pub(crate) tanma_files_newest_first: bool,
}

impl Dataset {
    /// A dataset of `records` records per paged operation (capped at `u32::MAX`).
    pub fn new(seed: u64, records: usize) -> Self {
        let records = records.min(u32::MAX as usize);
        Self {
            seed,
            records,
            cache: Mutex::new(Vec::new()),
            pops: Mutex::new(HashMap::new()),
            clock: Mutex::new(DATA_END),
            tanma_files_newest_first: true,
        }
    }

    /// The seed.
    pub fn seed(&self) -> u64 {
        self.seed
    }

    /// Records per paged operation (as configured; mutations add to single operations).
    pub fn records(&self) -> usize {
        self.records
    }

    /// Number of records of `op` without filters ([`WAIQIN_TASK_TYPES`] for task types),
    /// appended records included.
    pub fn len(&self, op: Op) -> usize {
        self.view(ops::decl(op).pop).len()
    }

    /// Whether the paged operations have no records.
    pub fn is_empty(&self) -> bool {
        self.records == 0
    }

    pub(crate) fn base_len(&self, size: Size) -> usize {
        match size {
            Size::Records => self.records,
            Size::Fixed(n) => n,
            Size::Div(n) => (self.records / n.max(1)).max(1),
        }
    }

    /// The current state of a population.
    pub(crate) fn view(&self, pop: Pop) -> Arc<PopView> {
        let fresh = || {
            let base = self.base_len(pop.size);
            Arc::new(PopView {
                salt: pop.salt,
                base,
                len: base,
                step: (SPAN / i64::try_from(base.max(1)).unwrap_or(i64::MAX)).max(1),
                batches: Vec::new(),
                changes: HashMap::new(),
                generation: 0,
            })
        };
        match self.pops.lock() {
            Ok(mut m) => m.entry(pop.salt).or_insert_with(fresh).clone(),
            Err(_) => fresh(),
        }
    }

    fn mutate(&self, pop: Pop, f: impl FnOnce(&mut PopView, &mut i64)) {
        let current = self.view(pop);
        let (Ok(mut pops), Ok(mut clock)) = (self.pops.lock(), self.clock.lock()) else {
            return;
        };
        let mut v = (*current).clone();
        f(&mut v, &mut clock);
        v.generation += 1;
        pops.insert(pop.salt, Arc::new(v));
    }

    fn hsalt(&self, salt: u64, i: usize, field: u64) -> u64 {
        mix(self.seed ^ mix((salt << 56) ^ (field << 40) ^ i as u64))
    }

    /// Field hash of a record.
    pub(crate) fn rh(&self, r: &Rec, field: u64) -> u64 {
        self.hsalt(r.salt, r.i, field)
    }

    pub(crate) fn h(&self, op: Op, i: usize, field: u64) -> u64 {
        self.hsalt(op.idx() as u64 + 1, i, field)
    }

    pub(crate) fn hs(&self, salt: u64, k: usize) -> u64 {
        mix(self.seed.rotate_left(17) ^ mix(salt << 32 ^ k as u64))
    }

    /// First index whose time is `>= t`.
    pub(crate) fn lower_bound(&self, view: &PopView, t: i64) -> usize {
        let (mut lo, mut hi) = (0usize, view.len());
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            if view.time(self, mid) < t {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        lo
    }

    /// A cached scan result: `Some(None)` = every index of the range matched.
    pub(crate) fn cached(&self, key: &str) -> Option<CachedScan> {
        let cache = self.cache.lock().ok()?;
        cache.iter().find(|(k, _)| k == key).map(|(_, v)| v.clone())
    }

    pub(crate) fn cache_put(&self, key: String, v: CachedScan) {
        if let Ok(mut cache) = self.cache.lock() {
            if cache.len() >= CACHE_ENTRIES {
                cache.remove(0);
            }
            cache.push((key, v));
        }
    }

    // ---------------------------------------------------------------- mutations

    /// Appends `n` records to the population of `vendor`'s operation `op` (CLI name) and
    /// returns its new length. The new records are created (and modified) at the dataset's
    /// "now" — about the wall clock, after the previous mutation and every generated time — so creation,
    /// submission and update windows starting at a bookmark see exactly them. Operations
    /// sharing a population (a list and its detail or change feed) all see them.
    pub fn append(&self, vendor: &str, op: &str, n: usize) -> Option<usize> {
        let d = ops::find(vendor, op)?;
        let mut len = 0;
        self.mutate(d.pop, |v, clock| {
            *clock = next_mutation_time(*clock);
            if n > 0 {
                v.batches.push((v.len, *clock));
                v.len += n;
                *clock += i64::try_from(n).unwrap_or(i64::MAX / 4);
            }
            len = v.len;
        });
        Some(len)
    }

    /// Changes `m` existing records of `vendor`'s operation `op`, spread evenly over the
    /// population, and returns their indices: their content changes (a field tied to the
    /// version) and their modification / update time, where the record has one, moves to the
    /// dataset's "now" (about the wall clock, after the previous mutation), so the documented change-feed
    /// filters (weiban `start_update_time`, waiqin `modify_date_from` / `modify_start`) see
    /// exactly these. Creation times never move.
    pub fn change(&self, vendor: &str, op: &str, m: usize) -> Option<Vec<usize>> {
        let d = ops::find(vendor, op)?;
        let mut changed = Vec::new();
        self.mutate(d.pop, |v, clock| {
            *clock = next_mutation_time(*clock);
            let len = v.len;
            let m = m.min(len);
            for k in 0..m {
                let i = k * len / m.max(1);
                let t = *clock + i64::try_from(k).unwrap_or(0);
                let e = v.changes.entry(i).or_insert((0, t));
                e.0 += 1;
                e.1 = t;
                changed.push(i);
            }
            *clock += i64::try_from(m).unwrap_or(0);
        });
        Some(changed)
    }

    // ---------------------------------------------------------------- fixtures

    /// Identifiers that requests may filter on.
    pub fn fixtures(&self) -> Fixtures {
        Fixtures {
            wshoto_form_ids: (0..3).map(|k| self.wshoto_form_id(k)).collect(),
            wshoto_send_user_ids: (0..6).map(|k| self.wshoto_sender(k)).collect(),
            weiban_form_ids: (0..3).map(|k| self.weiban_form_id(k)).collect(),
            weiban_cities: CITIES.iter().map(|c| c.0.to_owned()).collect(),
            waiqin_task_type_ids: (0..WAIQIN_TASK_TYPES)
                .map(|k| self.task_type_id(k).to_string())
                .collect(),
            tanma_sales: (0..TANMA_SALES.len())
                .map(|k| TanmaSales {
                    sales_id: self.tanma_sales_id(k),
                    user_id: TANMA_SALES[k].0.to_owned(),
                    name: TANMA_SALES[k].1.to_owned(),
                })
                .collect(),
            tanma_corp_id: self.tanma_corp_id(),
            wshoto_chat_ids: ops::wshoto::chat_ids(self, 3),
            weiban_customer_ids: ops::weiban::fixture_customers(self, 5),
            weiban_unionids: (0..self.records.min(20))
                .filter_map(|c| ops::weiban::fixture_unionid(self, c))
                .take(3)
                .collect(),
            weiban_group_chat_ids: ops::weiban::fixture_chats(self, 3),
            weiban_staff_ids: ops::weiban::fixture_staff(self),
            tanma_external_user_ids: (0..self.records.div_ceil(2).min(5))
                .map(|c| self.tanma_external_user_id(c))
                .collect(),
        }
    }

    pub(crate) fn wshoto_form_id(&self, k: usize) -> u64 {
        1_700_000_000_000_000_000 + self.hs(101, k) % 100_000_000_000_000_000
    }

    pub(crate) fn wshoto_form_key(&self, k: usize) -> String {
        let mut s = String::with_capacity(12);
        push_rand(&mut s, self.hs(102, k), 12, LOWER);
        s
    }

    pub(crate) fn wshoto_sender(&self, k: usize) -> String {
        let mut s = String::with_capacity(32);
        s.push_str("woDkH9EAAA");
        push_rand(&mut s, self.hs(103, k), 16, ALNUM);
        push_idx(&mut s, k as u64, self.seed ^ 10);
        s
    }

    pub(crate) fn weiban_form_id(&self, k: usize) -> u64 {
        800 + self.seed % 100 + 37 * k as u64
    }

    pub(crate) fn task_type_id(&self, k: usize) -> u64 {
        id19(self.hs(201, k))
    }

    pub(crate) fn employee_id(&self, k: usize) -> u64 {
        id19(self.hs(202, k))
    }

    pub(crate) fn tanma_sales_id(&self, k: usize) -> u64 {
        410_308_323_612_736 + (self.hs(301, k) % 1_000_000) * 64 + k as u64
    }

    pub(crate) fn tanma_corp_id(&self) -> String {
        let mut s = String::with_capacity(18);
        s.push_str("ww");
        push_rand(&mut s, self.hs(302, 0), 16, b"0123456789abcdef");
        s
    }

    /// The tanma `customerId` of customer `c` (clue `c` of the clue list).
    pub fn tanma_customer_id(&self, c: usize) -> u64 {
        let op = Op::TanmaClueListByCreateTimeAsc;
        let h = self.h(op, c, F_ID);
        if self.h(op, c, F_BIG).is_multiple_of(5) {
            1_300_000_000_000_000_000 + c as u64 * 7919 + h % 7919
        } else {
            410_983_932_389_440 + c as u64 * 1_048_576 + h % 1_048_576
        }
    }

    /// The WeCom `externalUserId` of tanma customer `c`.
    pub fn tanma_external_user_id(&self, c: usize) -> String {
        let mut s = String::with_capacity(32);
        s.push_str("wmTm9xCAAA");
        push_rand(
            &mut s,
            self.h(Op::TanmaClueListByCreateTimeAsc, c, F_ID2),
            16,
            ALNUM,
        );
        push_idx(&mut s, c as u64, self.seed ^ 11);
        s
    }

    pub(crate) fn tanma_customers(&self) -> usize {
        (self.records / 4).max(1)
    }

    /// The tanma customer index that file `i` belongs to.
    pub(crate) fn file_customer(&self, i: usize) -> usize {
        (self.h(Op::TanmaCustomerListFileOfCustomer, i, F_CUST) % self.tanma_customers() as u64)
            as usize
    }

    pub(crate) fn file_sales(&self, i: usize) -> usize {
        (self.h(Op::TanmaCustomerListFileOfCustomer, i, F_SENDER) % TANMA_SALES.len() as u64)
            as usize
    }

    /// The `id` of tanma file `i` (strictly increasing in `i`).
    pub(crate) fn file_id(&self, i: usize) -> u64 {
        462_821_966_907_328
            + i as u64 * 4096
            + self.h(Op::TanmaCustomerListFileOfCustomer, i, F_ID) % 4096
    }

    // ---------------------------------------------------------------- attributes

    pub(crate) fn wshoto_form_of(&self, i: usize) -> usize {
        (self.h(Op::WshotoCollectDetailPage, i, F_FORM) % 3) as usize
    }
    pub(crate) fn wshoto_sender_of(&self, i: usize) -> usize {
        (self.h(Op::WshotoCollectDetailPage, i, F_SENDER) % 6) as usize
    }
    pub(crate) fn wshoto_status_of(&self, i: usize) -> i64 {
        match self.h(Op::WshotoCollectDetailPage, i, F_STATUS) % 10 {
            0 | 1 => 0,
            2 | 3 => 1,
            _ => 2,
        }
    }
    pub(crate) fn weiban_form_of(&self, i: usize) -> usize {
        (self.h(Op::WeibanSmartFormUserList, i, F_FORM) % 3) as usize
    }
    /// `None` = unknown city (empty `user_city`).
    pub(crate) fn weiban_city_of(&self, i: usize) -> Option<usize> {
        let h = self.h(Op::WeibanSmartFormUserList, i, F_CITY);
        (!h.is_multiple_of(20)).then_some(((h >> 8) % CITIES.len() as u64) as usize)
    }
    pub(crate) fn waiqin_modify_time(&self, r: &Rec) -> i64 {
        r.modified((self.h(Op::WaiqinQueryTask, r.i, F_MOD) % (40 * 86_400)) as i64)
    }
    pub(crate) fn clue_type_of(&self, i: usize) -> i64 {
        if self
            .h(Op::TanmaClueListByCreateTimeAsc, i, F_TYPE)
            .is_multiple_of(3)
        {
            2
        } else {
            1
        }
    }

    fn query(q: &Query) -> (Op, serde_json::Value) {
        use serde_json::{Map, Value, json};
        let mut m = Map::new();
        let mut put = |k: &str, v: Option<Value>| {
            if let Some(v) = v {
                m.insert(k.to_owned(), v);
            }
        };
        let op = match q {
            Query::WshotoCollectDetail(f) => {
                put("form_id", f.form_id.map(|x| json!(x.to_string())));
                put("send_user_id", f.send_user_id.clone().map(Value::from));
                put("detail_status", f.detail_status.map(Value::from));
                put("start_commit_time", f.start_commit_time.map(Value::from));
                put("end_commit_time", f.end_commit_time.map(Value::from));
                Op::WshotoCollectDetailPage
            }
            Query::WeibanSmartFormUsers(f) => {
                // `None` matches all (every record is "submit"); the server requires it.
                put(
                    "status",
                    Some(Value::from(
                        f.status.clone().unwrap_or_else(|| "submit".into()),
                    )),
                );
                put("form_id", f.form_id.map(Value::from));
                put("city", f.city.clone().map(Value::from));
                put("start_time", f.start_time.map(Value::from));
                put("end_time", f.end_time.map(Value::from));
                Op::WeibanSmartFormUserList
            }
            Query::WaiqinTasks(f) => {
                let date = |s: &Option<String>| {
                    s.as_deref()
                        .filter(|s| parse_cst_date(s).is_some())
                        .map(Value::from)
                };
                put("create_date_from", date(&f.create_date_from));
                put("create_date_to", date(&f.create_date_to));
                put("modify_date_from", date(&f.modify_date_from));
                put("modify_date_to", date(&f.modify_date_to));
                Op::WaiqinQueryTask
            }
            Query::WaiqinTaskTypes(ids) => {
                put("type_ids", Some(json!(ids)));
                Op::WaiqinQueryTaskType
            }
            Query::TanmaClues(f) => {
                let t = |s: &Option<String>| {
                    s.as_deref()
                        .filter(|s| parse_cst_datetime(s).is_some())
                        .map(Value::from)
                };
                put("since", t(&f.since));
                put("before", t(&f.before));
                put("type", f.clue_type.map(Value::from));
                Op::TanmaClueListByCreateTimeAsc
            }
            Query::TanmaCustomerFiles(f) => {
                put("salesId", f.sales_id.map(Value::from));
                put("userId", f.user_id.clone().map(Value::from));
                put("customerId", f.customer_id.map(Value::from));
                put(
                    "externalUserId",
                    f.external_user_id.clone().map(Value::from),
                );
                Op::TanmaCustomerListFileOfCustomer
            }
        };
        (op, Value::Object(m))
    }

    /// Number of records the query matches (what a complete walk must return).
    pub fn expected_count(&self, q: &Query) -> usize {
        self.expected_keys(q).len()
    }

    /// The unique keys of the records the query matches, in serving order. Keys are:
    /// wshoto `external_userid`, weiban `u_id`, waiqin `task_id` / `type_id`,
    /// tanma clue `customerId`, tanma file `id` (numbers in decimal).
    pub fn expected_keys(&self, q: &Query) -> Vec<String> {
        let (op, req) = Self::query(q);
        let d = ops::decl(op);
        self.expected_keys_of(d.vendor.name(), d.name, &req)
            .unwrap_or_default()
    }

    /// The unique key of record `i` of `op` (see [`Dataset::expected_keys`]).
    pub fn key(&self, op: Op, i: usize) -> String {
        let d = ops::decl(op);
        (d.key)(self, &self.view(d.pop).rec(self, i))
    }

    /// The JSON text of record `index` of `op`, exactly as served; `None` past the end.
    pub fn record_json(&self, op: Op, index: usize) -> Option<String> {
        let d = ops::decl(op);
        self.record_text(d, index)
    }

    pub(crate) fn record_text(&self, d: &OpDecl, index: usize) -> Option<String> {
        let view = self.view(d.pop);
        if index >= view.len() {
            return None;
        }
        let mut s = String::with_capacity(1024);
        (d.generate)(self, &view.rec(self, index), &mut s);
        Some(s)
    }

    // ---------------------------------------------------------------- generic API

    /// Every served operation as `(vendor, CLI name)`, in registry order (the names of
    /// `scrm export <vendor> <operation>`).
    pub fn operations() -> Vec<(&'static str, &'static str)> {
        ops::OPS.iter().map(|d| (d.vendor.name(), d.name)).collect()
    }

    /// Describes one served operation (method, path, paging style, record count).
    pub fn operation(&self, vendor: &str, op: &str) -> Option<Operation> {
        let d = ops::find(vendor, op)?;
        Some(Operation {
            vendor: d.vendor.name(),
            name: d.name,
            method: match d.method {
                Method::Get => "GET",
                Method::Post => "POST",
            },
            path: d.path,
            paging: d.paging.style(),
            filters: d.filters.iter().map(|f| f.field).collect(),
            records: self.view(d.pop).len(),
            note: d.note,
        })
    }

    /// A valid request of `vendor`'s operation `op` for this dataset: the filters the vendor
    /// requires, valued from the dataset (a customer id for weiban `customer`, a chat id for
    /// `group-chat-members`, a date window for waiqin `visits`), nothing else. What `scrm demo`
    /// and the bench send; `None` for an operation the sandbox does not serve.
    ///
    /// ```
    /// let d = scrm_sandbox::Dataset::new(1, 100);
    /// let req = d.demo_request("weiban", "smart-form-users").unwrap();
    /// assert_eq!(req, serde_json::json!({ "status": "submit" }));
    /// assert_eq!(d.expected("weiban", "smart-form-users", &req).map(|r| r.len()), Some(100));
    /// for (vendor, op) in scrm_sandbox::Dataset::operations() {
    ///     let req = d.demo_request(vendor, op).unwrap();
    ///     assert!(d.expected(vendor, op, &req).is_some_and(|r| !r.is_empty()), "{vendor} {op}");
    /// }
    /// ```
    pub fn demo_request(&self, vendor: &str, op: &str) -> Option<serde_json::Value> {
        ops::find(vendor, op).map(|d| (d.demo)(self))
    }

    /// The exact records a complete export of `request` returns, in serving order.
    ///
    /// `request` holds the operation's documented request fields as the vendor takes them
    /// (body fields; for GET operations the query parameters, numbers or strings); paging
    /// fields are ignored. `None` for an unknown operation or a request the sandbox rejects.
    ///
    /// ```
    /// let d = scrm_sandbox::Dataset::new(1, 100);
    /// let all = d.expected("weiban", "smart-form-users", &serde_json::json!({"status": "submit"})).unwrap();
    /// assert_eq!(all.len(), 100);
    /// assert!(d.expected("weiban", "smart-form-users", &serde_json::json!({})).is_none()); // status is required
    /// ```
    pub fn expected(
        &self,
        vendor: &str,
        op: &str,
        request: &serde_json::Value,
    ) -> Option<Vec<serde_json::Value>> {
        let d = ops::find(vendor, op)?;
        let view = self.view(d.pop);
        let sel = d.select(self, &view, request).ok()?;
        let mut out = Vec::with_capacity(sel.len());
        let mut s = String::with_capacity(1024);
        for k in 0..sel.len() {
            s.clear();
            (d.generate)(self, &view.rec(self, sel.get(k)), &mut s);
            out.push(serde_json::from_str(&s).ok()?);
        }
        Some(out)
    }

    /// [`Dataset::expected`] without holding the records: calls `f` with the JSON text of each
    /// record, in serving order, and returns how many there were (flat memory for 1M records).
    ///
    /// ```
    /// let d = scrm_sandbox::Dataset::new(1, 1000);
    /// let mut bytes = 0;
    /// let n = d.expected_for_each("tanma", "clues", &serde_json::json!({"type": 2}), |json| bytes += json.len());
    /// assert!(n.is_some_and(|n| n > 0 && n < 1000) && bytes > 0);
    /// ```
    pub fn expected_for_each(
        &self,
        vendor: &str,
        op: &str,
        request: &serde_json::Value,
        mut f: impl FnMut(&str),
    ) -> Option<usize> {
        let d = ops::find(vendor, op)?;
        let view = self.view(d.pop);
        let sel = d.select(self, &view, request).ok()?;
        let mut s = String::with_capacity(1024);
        for k in 0..sel.len() {
            s.clear();
            (d.generate)(self, &view.rec(self, sel.get(k)), &mut s);
            f(&s);
        }
        Some(sel.len())
    }

    /// The primary keys (see [`Operation`]) of [`Dataset::expected`]'s records, cheaper.
    pub fn expected_keys_of(
        &self,
        vendor: &str,
        op: &str,
        request: &serde_json::Value,
    ) -> Option<Vec<String>> {
        let d = ops::find(vendor, op)?;
        let view = self.view(d.pop);
        let sel = d.select(self, &view, request).ok()?;
        Some(
            (0..sel.len())
                .map(|k| (d.key)(self, &view.rec(self, sel.get(k))))
                .collect(),
        )
    }

    /// Record `index` of an operation's population as served (`None` past the end).
    pub fn record(&self, vendor: &str, op: &str, index: usize) -> Option<serde_json::Value> {
        let d = ops::find(vendor, op)?;
        serde_json::from_str(&self.record_text(d, index)?).ok()
    }

    // ---------------------------------------------------------------- records

    pub(crate) fn wshoto_external_userid(&self, i: usize) -> String {
        let mut s = String::with_capacity(32);
        s.push_str("wmDkH9EAAA");
        push_rand(
            &mut s,
            self.h(Op::WshotoCollectDetailPage, i, F_ID),
            16,
            ALNUM,
        );
        push_idx(&mut s, i as u64, self.seed ^ 12);
        s
    }

    pub(crate) fn write_wshoto(&self, r: &Rec, out: &mut String) {
        let i = r.i;
        let op = Op::WshotoCollectDetailPage;
        let h = |f| self.h(op, i, f);
        let t = r.t;
        let misc = h(F_MISC);
        out.push('{');
        push_key(out, "customer_name");
        push_json_str(out, pick(&NICKNAMES, h(F_NAME) ^ u64::from(r.v)));
        if misc % 7 != 0 {
            out.push_str(",\"unionid\":\"oLRmLx");
            push_rand(out, h(F_ID2), 16, ALNUM);
            push_idx(out, i as u64, self.seed ^ 13);
            out.push('"');
        }
        if misc % 5 < 3 {
            out.push_str(",\"openid\":\"oDkH9");
            push_rand(out, h(F_ID2) ^ 0xABCD, 17, ALNUM);
            push_idx(out, i as u64, self.seed ^ 14);
            out.push('"');
        }
        out.push_str(",\"external_userid\":\"");
        out.push_str(&self.wshoto_external_userid(i));
        out.push_str("\",\"detail_status\":");
        push_int(out, self.wshoto_status_of(i));
        out.push_str(",\"view_time\":");
        push_int(out, t - 5 - (misc >> 8) as i64 % 3600);
        out.push_str(",\"commit_time\":");
        push_int(out, t);
        out.push_str(",\"send_user_id\":\"");
        let sender = self.wshoto_sender_of(i);
        out.push_str(&self.wshoto_sender(sender));
        out.push_str("\",\"dept_id\":");
        push_int(out, sender + 1);
        out.push_str(",\"detail_data\":");
        let mut d = String::with_capacity(512);
        let (city, prov, code) = pick(&CITIES, h(F_CITY));
        d.push_str("{\"area\":{\"code\":\"");
        d.push_str(code);
        d.push_str("\",\"name\":\"");
        d.push_str(prov);
        if prov != city {
            d.push_str(city);
        }
        d.push_str("\"},\"address\":\"");
        d.push_str(pick(&STREETS, h(F_CITY) >> 12));
        push_int(&mut d, 1 + (h(F_CITY) >> 20) % 300);
        d.push_str("号\",\"cellPhoneNumber\":\"\",\"mobilePhone\":\"");
        if misc % 3 != 0 {
            push_mobile(&mut d, h(F_PHONE));
        }
        d.push_str("\",\"gender\":[");
        match (misc >> 4) % 3 {
            0 => d.push_str("\"男\""),
            1 => d.push_str("\"女\""),
            _ => {}
        }
        d.push(']');
        let form_key = self.wshoto_form_key(self.wshoto_form_of(i));
        d.push_str(",\"mf_collect_form_");
        d.push_str(&form_key);
        d.push_str("_51\":[{\"name\":\"");
        push_hex(&mut d, h(F_TEXT), 15);
        d.push_str("\",\"id\":\"");
        push_int(&mut d, id19(h(F_TEXT) ^ 1));
        d.push_str("\",\"value\":\"https://pubres-test.wshoto.com/base-material-server/wpDkH9EAAA");
        push_rand(&mut d, h(F_TEXT) ^ 2, 22, ALNUM);
        d.push('/');
        push_int(&mut d, id19(h(F_TEXT) ^ 3));
        d.push('-');
        push_int(&mut d, t * 1000 + (misc % 1000) as i64);
        d.push_str(".jpeg\"}]");
        if misc % 2 == 0 {
            d.push_str(",\"mf_collect_form_");
            d.push_str(&form_key);
            d.push_str("_52\":[{\"name\":\"意向说明\",\"id\":\"");
            push_int(&mut d, id19(h(F_TEXT) ^ 4));
            d.push_str("\",\"value\":");
            push_json_str(&mut d, pick(&INTENTS, h(F_TEXT) >> 7));
            d.push_str("}]");
        }
        d.push_str(",\"compellation\":\"");
        push_name(&mut d, h(F_NAME) >> 20);
        d.push_str("\",\"accessCustomerChannel\":[],\"email\":\"");
        if misc % 4 == 1 {
            push_rand(&mut d, h(F_ID2) >> 3, 8, LOWER);
            d.push_str("@example.com");
        }
        d.push_str("\"}");
        push_json_str(out, &d);
        out.push('}');
    }

    pub(crate) fn write_weiban(&self, r: &Rec, out: &mut String) {
        let i = r.i;
        let op = Op::WeibanSmartFormUserList;
        let h = |f| self.h(op, i, f);
        let form = self.weiban_form_of(i);
        out.push_str("{\"user_city\":\"");
        if let Some(c) = self.weiban_city_of(i) {
            out.push_str(CITIES[c].0);
        }
        out.push_str("\",\"status\":\"submit\",\"user_name\":");
        if h(F_MISC) % 3 == 0 {
            let mut n = String::with_capacity(12);
            push_name(&mut n, h(F_NAME));
            push_json_str(out, &n);
        } else {
            push_json_str(out, pick(&NICKNAMES, h(F_NAME) ^ u64::from(r.v)));
        }
        out.push_str(",\"form_id\":");
        push_int(out, self.weiban_form_id(form));
        out.push_str(",\"unionid\":\"omefmt");
        push_rand(out, h(F_ID), 16, ALNUM);
        push_idx(out, i as u64, self.seed ^ 15);
        out.push_str("\",\"external_user_id\":\"wm8xjUCAAA");
        push_rand(out, h(F_ID2), 16, ALNUM);
        push_idx(out, i as u64, self.seed ^ 16);
        out.push_str("\",\"u_id\":");
        push_int(out, 1000 + i as u64);
        out.push_str(",\"avatar\":\"https://thirdwx.qlogo.cn/mmopen/vi_32/");
        push_rand(out, h(F_MISC2), 64, &ALNUM[..62]);
        out.push_str("/132\",\"submit_at\":");
        push_int(out, r.t);
        out.push_str(",\"form_name\":\"");
        out.push_str(WEIBAN_FORMS[form]);
        out.push_str("\"}");
    }

    pub(crate) fn task_id(&self, i: usize) -> u64 {
        5_000_000_000_000_000_000
            + i as u64 * 1_000_003
            + self.h(Op::WaiqinQueryTask, i, F_ID) % 1_000_003
    }

    pub(crate) fn push_employee(&self, out: &mut String, k: usize) {
        out.push_str("{\"name\":\"");
        out.push_str(EMPLOYEES[k]);
        out.push_str("\",\"id\":\"");
        push_int(out, self.employee_id(k));
        out.push_str("\",\"source_code\":\"EMP");
        push_int(out, 1001 + k);
        out.push_str("\"}");
    }

    pub(crate) fn write_task(&self, r: &Rec, out: &mut String) {
        let i = r.i;
        let op = Op::WaiqinQueryTask;
        let h = |f| self.h(op, i, f);
        let created = r.t;
        let modified = self.waiqin_modify_time(r);
        let misc = h(F_MISC);
        let task_status = h(F_STATUS) % 4;
        let feedbacks = if task_status == 0 {
            0
        } else {
            1 + (misc >> 3) % 2
        };
        out.push_str("{\"status\":\"");
        out.push_str(if misc % 25 == 0 { "0" } else { "1" });
        out.push_str("\",\"task_status\":\"");
        push_int(out, task_status);
        out.push_str("\",\"create_time\":\"");
        push_cst(out, created, TimeFmt::Minute);
        out.push_str("\",\"execute_demand\":\"");
        push_int(out, (misc >> 9) % 3);
        out.push_str("\",\"feedback_deadline\":\"");
        push_cst(
            out,
            created + 86_400 * (1 + ((misc >> 11) % 14) as i64),
            TimeFmt::Minute,
        );
        out.push_str("\",\"modify_time\":\"");
        push_cst(out, modified, TimeFmt::Minute);
        out.push_str("\",\"latest_feedback_content\":");
        let fb_time =
            |k: u64| created + ((modified - created) * (k as i64 + 1)) / (feedbacks as i64 + 1);
        if feedbacks > 0 {
            push_json_str(out, pick(&FEEDBACKS, h(F_TEXT) ^ (feedbacks - 1)));
        } else {
            out.push_str("\"\"");
        }
        out.push_str(",\"task_id\":\"");
        push_int(out, self.task_id(i));
        let src = (misc >> 15) % TASK_SOURCES.len() as u64;
        out.push_str("\",\"task_source_name\":\"");
        out.push_str(TASK_SOURCES[src as usize]);
        out.push_str("\",\"task_source_id\":\"");
        push_int(out, 10_001 + src);
        out.push_str("\",\"visit_implement_id\":\"");
        match (misc >> 17) % 4 {
            0 => {}
            1 => out.push_str("-1"),
            _ => push_int(out, id19(h(F_ID2))),
        }
        out.push_str("\",\"visit_function_id\":");
        if i % 10 == 3 {
            // A bare number above 2^53, as the vendor sometimes sends.
            push_int(out, id19(h(F_ID2) ^ 9));
        } else {
            out.push_str("\"\"");
        }
        out.push_str(",\"latest_feedback_time\":\"");
        if feedbacks > 0 {
            push_cst(out, fb_time(feedbacks - 1), TimeFmt::Minute);
        }
        out.push_str("\",\"task_type_id\":\"");
        push_int(
            out,
            self.task_type_id((h(F_TYPE) % WAIQIN_TASK_TYPES as u64) as usize),
        );
        out.push_str("\",\"receivers\":[");
        let n_recv = 1 + (misc >> 20) % 3;
        for r in 0..n_recv {
            if r > 0 {
                out.push(',');
            }
            self.push_employee(out, ((h(F_SENDER) + r) % EMPLOYEES.len() as u64) as usize);
        }
        out.push_str("],\"creator\":");
        self.push_employee(out, ((misc >> 24) % EMPLOYEES.len() as u64) as usize);
        out.push_str(",\"task_content\":");
        push_json_str(out, pick(&TASK_CONTENTS, h(F_TEXT) ^ u64::from(r.v)));
        out.push_str(",\"task_achievement\":\"");
        out.push_str(if task_status == 0 {
            ""
        } else {
            pick(&ACHIEVEMENTS, misc >> 28)
        });
        out.push_str("\",\"customer_id\":\"");
        push_int(out, id19(h(F_CUST)));
        out.push_str("\",\"feedback_detail\":[");
        for k in 0..feedbacks {
            if k > 0 {
                out.push(',');
            }
            out.push_str("{\"feedback_content\":");
            push_json_str(out, pick(&FEEDBACKS, h(F_TEXT) ^ k));
            out.push_str(",\"feedback_visit_id\":\"");
            push_int(out, id19(h(F_ID2) ^ (k + 100)));
            out.push_str("\",\"feedback_time\":\"");
            push_cst(out, fb_time(k), TimeFmt::Minute);
            out.push_str("\"}");
        }
        out.push_str("]}");
    }

    pub(crate) fn write_task_type(&self, r: &Rec, out: &mut String) {
        let k = r.i;
        let h = self.hs(203, k);
        let created = BASE_TIME - 400 * 86_400 + (h % (300 * 86_400)) as i64;
        let modified = created + ((h >> 30) % (20 * 86_400)) as i64;
        let creator = (h % EMPLOYEES.len() as u64) as usize;
        let modifier = ((h >> 5) % EMPLOYEES.len() as u64) as usize;
        let flag = |bit: u32| if (h >> bit) & 1 == 1 { "1" } else { "0" };
        out.push_str("{\"receiver_limit\":\"");
        out.push_str(flag(40));
        out.push_str("\",\"type_name\":");
        push_json_str(out, TASK_TYPE_NAMES[k % WAIQIN_TASK_TYPES]);
        out.push_str(",\"modifier_name\":\"");
        out.push_str(EMPLOYEES[modifier]);
        out.push_str("\",\"create_time\":\"");
        push_cst(out, created, TimeFmt::Minute);
        out.push_str("\",\"type_id\":\"");
        push_int(out, self.task_type_id(k));
        out.push_str("\",\"execute_demand\":\"");
        push_int(out, (h >> 41) % 3);
        out.push_str("\",\"modify_time\":\"");
        push_cst(out, modified, TimeFmt::Minute);
        out.push_str("\",\"feedback_picture_required\":\"");
        out.push_str(flag(44));
        out.push_str("\",\"remark\":\"");
        if k % 3 == 1 {
            out.push_str("请按要求上传现场照片");
        }
        out.push_str("\",\"is_album_permitted\":\"");
        out.push_str(flag(45));
        out.push_str("\",\"modifier_id\":\"");
        push_int(out, self.employee_id(modifier));
        out.push_str("\",\"creator_id\":\"");
        push_int(out, self.employee_id(creator));
        out.push_str("\",\"creator_name\":\"");
        out.push_str(EMPLOYEES[creator]);
        out.push_str("\",\"publish_status\":\"");
        out.push_str(if k % 6 == 5 { "0" } else { "1" });
        out.push_str("\",\"status\":\"");
        out.push_str(match k % 7 {
            6 => "0",
            _ => "1",
        });
        out.push_str("\"}");
    }

    pub(crate) fn write_clue(&self, r: &Rec, out: &mut String) {
        let i = r.i;
        let op = Op::TanmaClueListByCreateTimeAsc;
        let h = |f| self.h(op, i, f);
        let created = r.t;
        let misc = h(F_MISC);
        let ty = self.clue_type_of(i);
        out.push_str("{\"customerId\":");
        push_int(out, self.tanma_customer_id(i));
        out.push_str(",\"isClue\":");
        out.push_str(if ty == 2 && misc % 2 == 0 {
            "true"
        } else {
            "false"
        });
        out.push_str(",\"type\":");
        push_int(out, ty);
        out.push_str(",\"fields\":[");
        let field = |out: &mut String, first: bool, name: &str, ty: u8| {
            if !first {
                out.push(',');
            }
            out.push_str("{\"field\":\"");
            out.push_str(name);
            out.push_str("\",\"type\":");
            push_int(out, ty);
            out.push_str(",\"valueAsText\":");
        };
        let null = |out: &mut String| out.push_str("null}");
        let text = |out: &mut String, s: &str| {
            push_json_str(out, s);
            out.push('}');
        };
        field(out, true, "customer_source", 2);
        if misc % 3 == 0 {
            null(out)
        } else {
            text(out, &(396_823_724_000_000 + (misc >> 2) % 8).to_string())
        }
        field(out, false, "description", 1);
        if misc % 4 == 0 {
            null(out)
        } else {
            text(out, pick(&DESCRIPTIONS, h(F_TEXT) ^ u64::from(r.v)))
        }
        field(out, false, "mobile", 8);
        if misc % 10 == 0 {
            null(out)
        } else {
            let mut m = String::with_capacity(32);
            m.push_str("[\"");
            push_mobile(&mut m, h(F_PHONE));
            if misc % 7 == 0 {
                m.push_str("\",\"");
                push_mobile(&mut m, h(F_PHONE) ^ 77);
            }
            m.push_str("\"]");
            text(out, &m);
        }
        field(out, false, "address", 1);
        if misc % 3 == 1 {
            null(out)
        } else {
            let (city, prov, _) = pick(&CITIES, h(F_CITY));
            let mut a = String::with_capacity(64);
            a.push_str(prov);
            if prov != city {
                a.push_str(city);
            }
            a.push_str(pick(&STREETS, h(F_CITY) >> 9));
            push_int(&mut a, 1 + (h(F_CITY) >> 20) % 200);
            a.push('号');
            text(out, &a);
        }
        field(out, false, "birthday", 3);
        if misc % 5 < 3 {
            null(out)
        } else {
            let d = fmt_cst(
                -315_648_000 + (h(F_MISC2) % (30 * 365 * 86_400)) as i64,
                TimeFmt::Date,
            );
            text(out, &d);
        }
        field(out, false, "corp_name", 1);
        if misc % 3 == 2 {
            text(out, pick(&COMPANIES, h(F_MISC2) >> 3))
        } else {
            null(out)
        }
        field(out, false, "name", 1);
        if misc % 8 == 0 {
            null(out)
        } else {
            let mut n = String::with_capacity(12);
            push_name(&mut n, h(F_NAME));
            text(out, &n);
        }
        field(out, false, "purchase_intention", 2);
        if misc % 2 == 0 {
            null(out)
        } else {
            text(out, &(401_244_899_840_000 + (misc >> 5) % 4).to_string())
        }
        field(out, false, "gender", 2);
        match (misc >> 7) % 3 {
            0 => null(out),
            g => text(out, &g.to_string()),
        }
        field(out, false, "customer_stage", 2);
        text(
            out,
            &(396_823_724_189_760 + (misc >> 9) % 5 * 64).to_string(),
        );
        out.push_str("],\"tagIds\":[");
        for t in 0..(misc >> 12) % 4 {
            if t > 0 {
                out.push(',');
            }
            out.push_str("\"etvRo3DwAA");
            push_rand(
                out,
                self.hs(401, ((h(F_MISC2) >> 13) % 8 + t * 3) as usize),
                22,
                ALNUM,
            );
            out.push('"');
        }
        out.push_str("],\"createTime\":\"");
        push_cst(out, created, TimeFmt::Second);
        out.push_str("\",\"lastUpdateTime\":\"");
        let upd = if let Some(m) = r.m {
            m
        } else if misc % 5 < 2 {
            created
        } else {
            created + ((misc >> 16) % (60 * 86_400)) as i64
        };
        push_cst(out, upd, TimeFmt::Second);
        out.push('"');
        if misc % 10 < 3 {
            let c = (h(F_MISC2) >> 20) % COMPANIES.len() as u64;
            out.push_str(",\"companyInfo\":{\"id\":");
            push_int(out, 410_948_476_397_632 + c * 4096);
            out.push_str(",\"name\":\"");
            out.push_str(COMPANIES[c as usize]);
            out.push_str("\"}");
        }
        out.push('}');
    }

    pub(crate) fn write_file(&self, r: &Rec, out: &mut String) {
        let i = r.i;
        let op = Op::TanmaCustomerListFileOfCustomer;
        let h = |f| self.h(op, i, f);
        let misc = h(F_MISC);
        let sales = self.file_sales(i);
        let (fname, ext) = pick(&FILES, h(F_TEXT));
        out.push_str("{\"id\":");
        push_int(out, self.file_id(i));
        out.push_str(",\"corpid\":\"");
        out.push_str(&self.tanma_corp_id());
        out.push_str("\",\"salesId\":");
        push_int(out, self.tanma_sales_id(sales));
        out.push_str(",\"customerId\":");
        push_int(out, self.tanma_customer_id(self.file_customer(i)));
        out.push_str(",\"createTime\":\"");
        push_cst(out, r.t, TimeFmt::Second);
        out.push_str("\",\"fileContent\":");
        let mut c = String::with_capacity(256);
        let mut file_id = String::with_capacity(64);
        file_id.push_str("group1/M00/");
        push_hex(&mut file_id, h(F_ID2), 2);
        file_id.push('/');
        push_hex(&mut file_id, h(F_ID2) >> 8, 2);
        file_id.push('/');
        push_rand(&mut file_id, h(F_ID2) >> 16, 30, &ALNUM[..62]);
        file_id.push('.');
        file_id.push_str(ext);
        c.push_str("{\"name\":");
        push_json_str(&mut c, fname);
        c.push_str(",\"url\":\"https://dev.tanmarket.cn/fdfsServer/");
        c.push_str(&file_id);
        c.push_str("\",\"size\":\"");
        let kb = 1 + misc % 20_000;
        if kb >= 1024 {
            push_int(&mut c, kb / 1024);
            c.push('.');
            push_int(&mut c, kb % 1024 * 10 / 1024);
            c.push_str("MB");
        } else {
            push_int(&mut c, kb);
            c.push('.');
            push_int(&mut c, (misc >> 20) % 10);
            c.push_str("KB");
        }
        c.push_str("\",\"type\":\"");
        c.push_str(ext);
        c.push_str("\",\"fileId\":\"");
        c.push_str(&file_id);
        c.push_str("\"}");
        push_json_str(out, &c);
        out.push_str(",\"fileName\":");
        push_json_str(out, fname);
        let admin = misc % 6 == 0;
        out.push_str(",\"operatorId\":");
        push_int(
            out,
            if admin {
                410_992_262_547_520
            } else {
                self.tanma_sales_id(sales)
            },
        );
        out.push_str(",\"authorName\":\"");
        out.push_str(if admin { "admin" } else { TANMA_SALES[sales].1 });
        out.push_str("\",\"followContent\":");
        if misc % 3 == 0 || r.v > 0 {
            push_json_str(out, pick(&FOLLOWS, (misc >> 4) ^ u64::from(r.v)));
        } else {
            out.push_str("null");
        }
        out.push('}');
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;

    #[test]
    fn records_are_valid_json_and_deterministic() {
        let a = Dataset::new(7, 300);
        let b = Dataset::new(7, 300);
        for op in Op::ALL {
            for i in 0..a.len(op) {
                let s = a.record_json(op, i).unwrap();
                assert_eq!(Some(s.clone()), b.record_json(op, i));
                let v: serde_json::Value =
                    serde_json::from_str(&s).unwrap_or_else(|e| panic!("{op:?} {i}: {e}\n{s}"));
                assert!(v.is_object());
            }
        }
        assert_ne!(
            a.record_json(Op::WeibanSmartFormUserList, 0),
            Dataset::new(8, 300).record_json(Op::WeibanSmartFormUserList, 0)
        );
    }

    #[test]
    fn times_increase_and_keys_unique() {
        let d = Dataset::new(1, 5000);
        for op in Op::ALL {
            if op == Op::WaiqinQueryTaskType {
                continue;
            }
            let mut keys = std::collections::HashSet::new();
            for i in 0..d.records() {
                assert!(keys.insert(d.key(op, i)), "{op:?} {i}");
                if i > 0 {
                    let v = d.view(ops::decl(op).pop);
                    assert!(v.rec(&d, i).t > v.rec(&d, i - 1).t);
                }
            }
        }
        for i in 1..d.records() {
            assert!(d.file_id(i) > d.file_id(i - 1));
        }
    }

    #[test]
    fn filters_partition() {
        let d = Dataset::new(3, 2000);
        let fx = d.fixtures();
        let total: usize = fx
            .wshoto_form_ids
            .iter()
            .map(|&f| {
                d.expected_count(&Query::WshotoCollectDetail(WshotoFilter {
                    form_id: Some(f),
                    ..Default::default()
                }))
            })
            .sum();
        assert_eq!(total, 2000);
        let q = Query::WshotoCollectDetail(WshotoFilter {
            form_id: Some(1),
            ..Default::default()
        });
        assert_eq!(d.expected_count(&q), 0);
        let wuhan = d.expected_count(&Query::WeibanSmartFormUsers(WeibanFilter {
            city: Some("武汉".into()),
            ..Default::default()
        }));
        assert!(wuhan > 0 && wuhan < 2000);
        let types = d.expected_count(&Query::TanmaClues(TanmaClueFilter {
            clue_type: Some(2),
            ..Default::default()
        })) + d.expected_count(&Query::TanmaClues(TanmaClueFilter {
            clue_type: Some(1),
            ..Default::default()
        }));
        assert_eq!(types, 2000);
        let by_sales: usize = fx
            .tanma_sales
            .iter()
            .map(|s| {
                d.expected_count(&Query::TanmaCustomerFiles(TanmaFileFilter {
                    user_id: Some(s.user_id.clone()),
                    ..Default::default()
                }))
            })
            .sum();
        assert_eq!(by_sales, 2000);
        let tt = d.expected_keys(&Query::WaiqinTaskTypes(vec![
            fx.waiqin_task_type_ids[3].clone(),
        ]));
        assert_eq!(tt, vec![fx.waiqin_task_type_ids[3].clone()]);
        assert_eq!(
            d.expected_count(&Query::WaiqinTaskTypes(vec![])),
            WAIQIN_TASK_TYPES
        );
    }
}
#[cfg(test)]
mod golden {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use sha2::{Digest, Sha256};

    /// The seed operations' records are byte-identical to those served before the generic
    /// engine (SHA-256 of all records, one per line).
    #[test]
    fn seed_records_unchanged() {
        let golden = [
            (
                1,
                1000,
                Op::WshotoCollectDetailPage,
                "caf8cb194ab5d98e4b4d5467c36fca55853733896d2316997168136ff7726965",
            ),
            (
                1,
                1000,
                Op::WeibanSmartFormUserList,
                "589dcb6e8442b4704d9d485f296674f1c97130188208a54e93478061792d08ec",
            ),
            (
                1,
                1000,
                Op::WaiqinQueryTask,
                "4003b0124c2878cc50d265202a024a0c459106299dde7fa5a207d35a86b634f2",
            ),
            (
                1,
                1000,
                Op::WaiqinQueryTaskType,
                "b890db9e4e404071fe3bfafe237213a9f8324a5d5873be50915962a458d2a0cf",
            ),
            (
                1,
                1000,
                Op::TanmaClueListByCreateTimeAsc,
                "9268807ccbce4e1ddab5ac77b5a62822fb0c819c03f8fefc35483c9fd79c2178",
            ),
            (
                1,
                1000,
                Op::TanmaCustomerListFileOfCustomer,
                "b84f0cd8959f14eeb7d08d47b68da5b677944c8e6a1bd81975aad713fa9bbd13",
            ),
            (
                7,
                300,
                Op::WshotoCollectDetailPage,
                "99ebfa306d54e0bd5288189bbec273c0275eb33358d13021c97efd52974d6934",
            ),
            (
                7,
                300,
                Op::WeibanSmartFormUserList,
                "ff6370077007aa3a2087534f0cae485468c723c65b983145351d4ad64eeea797",
            ),
            (
                7,
                300,
                Op::WaiqinQueryTask,
                "e6ca1a09c422db1b9086a22829f48d198d3ccbd5d3c69a05f90356bee0cf7f0c",
            ),
            (
                7,
                300,
                Op::WaiqinQueryTaskType,
                "cdf4598489ae7126e3c47d97fac1f5d0d40d8373db351d1e95d269d7fdef070a",
            ),
            (
                7,
                300,
                Op::TanmaClueListByCreateTimeAsc,
                "2e7ebacb19e53f46eb34b9f12ca646eff6bd7027052e0745ac53a52c82b7a5b4",
            ),
            (
                7,
                300,
                Op::TanmaCustomerListFileOfCustomer,
                "d7539cdc2a4b5a2fca488f39488f2040a98ecaac8a62f8858c5cb0ede57820c5",
            ),
        ];
        for (seed, n, op, want) in golden {
            let d = Dataset::new(seed, n);
            let mut h = Sha256::new();
            for i in 0..d.len(op) {
                h.update(d.record_json(op, i).unwrap().as_bytes());
                h.update(b"\n");
            }
            assert_eq!(hex::encode(h.finalize()), want, "{seed} {n} {op:?}");
        }
    }
}
