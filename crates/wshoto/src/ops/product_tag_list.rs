//! 分页查询产品标签信息列表 — `POST /openapi/product/library/page_query_product_library_tag_info_list`:
//! the tags of the **product library** (产品库标签, not WeCom customer tags), filtered by name,
//! paged by `current_index` (from 1) and `page_size` (at most 100) with a `total`. Fidelity: the
//! whole vendor page (`vendor-docs/wshoto-product-library-tag-info-list.txt`, source
//! <https://open.wshoto.com/doc/pages/product/pageQueryProductTagInfoList.html>; the 必填 column's
//! values were not captured, so nothing is checked as required).
//!
//! ```no_run
//! use scrm_wshoto::prelude::*;
//! use scrm_wshoto::ProductTagList;
//! # async fn demo(client: scrm_wshoto::WshotoClient) -> Result<(), scrm_wshoto::Error> {
//! let tags: Vec<_> = client.items(ProductTagList::new().tag_name("新品")).try_collect().await?;
//! println!("{} tags", tags.len());
//! # Ok(()) }
//! ```

use crate::Wshoto;
use crate::wire::{RecordPage, check_page};

/// Largest `page_size` the vendor accepts ("最大值:100").
pub const MAX_PAGE_SIZE: u64 = 100;

scrm_core::operation! {
    /// The request of 分页查询产品标签信息列表.
    ///
    /// Fidelity: the whole vendor page (the 必填 column's values were not captured).
    pub struct ProductTagList: Wshoto,
        POST "/openapi/product/library/page_query_product_library_tag_info_list"
        => ProductTagListResponse as "product/library/page_query_product_library_tag_info_list" {
        /// 标签名称: only tags with this name.
        tag_name: String,
        /// 当前页: the page, from 1 (default 1).
        current_index: u64,
        /// 每页大小: records per page, 1..=100 (default 20; the streams send 100 when unset).
        page_size: u64,
    }
    validate(r) {
        check_page(r.current_index, r.page_size, Some(MAX_PAGE_SIZE))
    }
}

/// One page of 分页查询产品标签信息列表 (the envelope next to it carries `sub_code`, `"00000"` on
/// success).
pub type ProductTagListResponse = RecordPage<ProductTag>;

scrm_core::record! {
    /// A product-library tag.
    pub struct ProductTag {
        /// 产品标签ID.
        tag_id: String,
        /// 产品标签名称.
        tag_name: String,
    }
}

scrm_core::paging!(ProductTagList => ProductTag,
    page_number(current_index, page_size = MAX_PAGE_SIZE), total(total), items(records));

scrm_core::register!(ProductTagList {
    name: "product-tags",
    title: "分页查询产品标签信息列表",
    record: ProductTag,
    key: ["tag_id"],
    incremental: None,
    fidelity: Page,
});
