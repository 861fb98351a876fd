//! 查询标签树: `POST /api/v3/tags/list-tree`, every tag group with its tags, in one answer.
//! Fidelity: partial (`vendor-docs/tanma-tags-list-tree.txt`: request and field table complete;
//! the response example is cut off, so it is no fixture). Tag changes arrive as
//! `change_corp_tag` pushes: use those for incremental tag sync.

use scrm_core::de::Id;

use crate::Tanma;

scrm_core::operation! {
    /// Request of 查询标签树 (`POST /api/v3/tags/list-tree`): no parameters. Fidelity: partial
    /// (the response example is cut off; the field table is complete).
    ///
    /// Sent with **no body** and no `Content-Type`, as the vendor's curl sample does; the
    /// signature covers the empty body (`sha256(appId + timestamp + "" + appKey)`).
    ///
    /// ```
    /// use scrm_tanma::TagTree;
    /// assert_eq!(serde_json::to_string(&TagTree::new()).unwrap(), "{}");
    /// ```
    pub struct TagTree: Tanma, POST "/api/v3/tags/list-tree", query
        => Vec<TagGroup> as "tags/list-tree" {}
}

scrm_core::record! {
    /// A tag group (an element of `data`).
    pub struct TagGroup {
        /// 标签名称: the group's name.
        name: String,
        /// 标签ID(探马系统): tanma's id of the group.
        id: Id,
        /// 标签ID(企微): the WeCom id of the group (`et…`).
        qw_tag_id as "qwTagId": String,
        /// 子标签: the tags of the group.
        tags: Vec<Tag>,
    }
}

scrm_core::record! {
    /// A tag of a [`TagGroup`] (sub-fields not in the table; the example shows these three).
    pub struct Tag {
        /// tanma's id of the tag.
        id: Id,
        /// The tag's name.
        name: String,
        /// The WeCom id of the tag (`et…`).
        qw_tag_id as "qwTagId": String,
    }
}

scrm_core::paging!(TagTree => TagGroup, single, items(*));

scrm_core::register!(TagTree {
    name: "tags",
    title: "查询标签树",
    record: TagGroup,
    key: ["id"],
    incremental: None,
    fidelity: Partial,
});
