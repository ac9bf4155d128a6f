"""English and Simplified Chinese texts of the web UI. Every visible string comes from here or the catalogue."""

from __future__ import annotations

from collections.abc import Callable

from fabdemo.service.errors import STATUS_ZH

LANGS = ("en", "zh")

TEXTS: dict[str, tuple[str, str]] = {
    "brand": ("Farm-to-Table Ledger", "农场到餐桌 · 溯源账本"),
    "brand_sub": ("Hyperledger Fabric demo", "Hyperledger Fabric 演示"),
    "nav_dashboard": ("Lots", "批次"),
    "nav_operations": ("Operations", "操作"),
    "nav_ledger": ("Live ledger", "实时账本"),
    "nav_network": ("Network", "网络"),
    "nav_documents": ("Document check", "文件核验"),
    "nav_prices": ("Private prices", "私密价格"),
    "nav_present": ("Present", "演示"),
    # the console of any deployed contract (contracts.html, contract.html, contracts.js)
    "nav_contracts": ("Contracts", "合约"),
    "cc_title": ("Contracts", "合约"),
    "cc_list_intro": (
        "Every chaincode deployed on the channel. Each console is generated from the contract's own metadata.",
        "通道上已部署的全部链码。每个控制台都由合约自身的元数据生成。",
    ),
    "cc_own": ("the kit's own contract", "本套件自带的合约"),
    "cc_howto": ("Add your own:", "添加您自己的合约："),
    "cc_intro": (
        "A form per transaction, from the contract's metadata. Evaluate reads; submit records on the ledger.",
        "每个交易一个表单，由合约元数据生成。查询只读取；提交会记录到账本。",
    ),
    "cc_submit": ("submit", "提交"),
    "cc_evaluate": ("evaluate", "查询"),
    "cc_no_params": ("No parameters.", "无参数。"),
    "cc_transient": ("Private inputs (transient data, JSON)", "私密输入（临时数据，JSON）"),
    "cc_events": ("Events, live", "实时事件"),
    "cc_events_intro": ("Chaincode events of this contract, newest first.", "本合约的链码事件，最新的在前。"),
    "cc_bad_transient": ("Private inputs must be a JSON object.", "私密输入必须是 JSON 对象。"),
    "cc_evaluated": ("Evaluated (not recorded)", "已查询（未记录）"),
    # the Performance page (performance.html, performance.js)
    "nav_performance": ("Performance", "性能"),
    "perf_title": ("Performance, live", "实时性能"),
    "perf_intro": (
        "Read from every node's operations endpoint (/metrics, Prometheus format) and its process, every two seconds.",
        "每两秒从各节点的运维接口（/metrics，Prometheus 格式）和进程读取。",
    ),
    "perf_tps": ("Throughput", "吞吐量"),
    "perf_tps_unit": ("tx/s committed", "笔/秒（已提交）"),
    "perf_blocks": ("Block rate", "出块速率"),
    "perf_blocks_unit": ("blocks/s", "块/秒"),
    "perf_commit": ("Block commit time", "区块提交耗时"),
    "perf_commit_unit": ("ms per block (peer)", "毫秒/块（节点）"),
    "perf_fill": ("Batch fill time", "批次填充耗时"),
    "perf_fill_unit": ("ms per block (orderer)", "毫秒/块（排序节点）"),
    "perf_height": ("Height", "区块高度"),
    "perf_invalid": ("invalid", "无效"),
    "perf_nodes": ("CPU and memory per node", "各节点 CPU 与内存"),
    "perf_node": ("Node", "节点"),
    "perf_kind": ("Kind", "类型"),
    "perf_cpu": ("CPU (% of a core)", "CPU（单核 %）"),
    "perf_rss": ("Memory (RSS)", "内存（RSS）"),
    "perf_waiting": ("Waiting for the second sample…", "等待第二次采样…"),
    "perf_down": ("stopped", "已停止"),
    "perf_last_min": ("last 3 minutes", "最近 3 分钟"),
    # the presenter's debrief (debrief.html)
    "debrief": ("Debrief", "复盘"),
    "debrief_title": ("Debrief: {title}", "复盘：{title}"),
    "debrief_intro": (
        "What the room saw and did, for the follow-up: time per scene against its budget, the customer's own steps "
        "and the transactions they made, their figures, and draft POC criteria.",
        "供会后跟进：各场景用时与预算对比、客户亲自完成的步骤及其交易、客户填写的数字，以及概念验证标准草案。",
    ),
    "debrief_none": ("No storyboard has been presented yet.", "尚未演示任何故事板。"),
    "debrief_total": ("{spent} of {budget} min", "用时 {spent} / 预算 {budget} 分钟"),
    "debrief_shown": ("{n} of {total} scenes shown", "展示了 {n} / {total} 个场景"),
    "debrief_scenes": ("Scenes", "场景"),
    "debrief_budget": ("Budget", "预算"),
    "debrief_spent": ("Time spent", "实际用时"),
    "debrief_outcome": ("Run", "运行结果"),
    "debrief_skipped": ("not shown", "未展示"),
    "debrief_not_run": ("talked through", "仅讲解"),
    "debrief_transactions": ("Transactions", "交易"),
    "debrief_customer": ("What the customer drove", "客户亲自操作"),
    "debrief_no_customer": ("This storyboard has no step for the customer.", "此故事板没有客户步骤。"),
    "debrief_by_customer": ("the customer did it", "客户亲自完成"),
    "debrief_for_them": ("the presenter did it for them", "演示者代为完成"),
    "debrief_not_done": ("not done", "未完成"),
    "debrief_value": ("The customer's figures", "客户的数字"),
    "debrief_no_value": ("The value panel was not filled in.", "未填写价值面板。"),
    "debrief_criteria": ("Draft POC criteria", "概念验证标准草案"),
    "debrief_criteria_hint": (
        "From what was shown and entered. Edit the targets with the customer, then run make poc CRITERIA=<file>.",
        "根据展示内容与填写的数字生成。请与客户一起修改目标值，然后运行 make poc CRITERIA=<文件>。",
    ),
    "debrief_download": ("Download criteria.yaml", "下载 criteria.yaml"),
    "debrief_previous": ("The presentation before the last restart", "上次重新开始之前的演示"),
    "debrief_back": ("Back to the presenter view", "返回演示者视图"),
    "perf_hint": (
        "Drive load from the presenter view, a storyboard, make caliper or make bench and watch it arrive.",
        "可在演示者视图、故事板、make caliper 或 make bench 中施加负载，在此观察变化。",
    ),
    "acting_as": ("Acting as", "当前身份"),
    "language": ("Language", "语言"),
    "invite": ("Invite", "邀请"),
    # the Identities page (identities.html, identities.js; IDENTITIES=ca)
    "id_title": ("Identities", "身份"),
    "id_intro": (
        "Users registered with each organisation's Fabric CA. Attributes are written into the certificate; "
        "a revoked user's next transaction is refused by the peers.",
        "在各组织 Fabric CA 登记的用户。属性写入证书；用户被吊销后，其下一笔交易将被节点拒绝。",
    ),
    "id_cryptogen": (
        "This network's identities come from cryptogen. Start it with `make up IDENTITIES=ca` to register "
        "and revoke users here.",
        "本网络的身份由 cryptogen 生成。用 make up IDENTITIES=ca 启动后，可在此登记和吊销用户。",
    ),
    "id_org": ("Organisation", "组织"),
    "id_name": ("User", "用户"),
    "id_attrs": ("Attributes", "属性"),
    "id_state": ("State", "状态"),
    "id_active": ("active", "有效"),
    "id_revoked": ("revoked", "已吊销"),
    "id_register": ("Register and enroll", "登记并注册证书"),
    "id_reenroll": ("Re-enroll", "重新签发"),
    "id_revoke": ("Revoke", "吊销"),
    "id_working": ("Working…", "处理中…"),
    "id_done": ("Done.", "完成。"),
    "id_confirm_revoke": (
        "Revoke {name}? Their next transaction will be refused.",
        "确定吊销 {name}？其下一笔交易将被拒绝。",
    ),
    "lots_title": ("Lots on the ledger", "账本上的批次"),
    "lots_total": ("{n} lots", "共 {n} 个批次"),
    "lots_held": ("{n} held by you", "你持有 {n} 个"),
    "all": ("All", "全部"),
    "any_custodian": ("Any custodian", "所有保管方"),
    "filter": ("Filter", "筛选"),
    "incoming": ("Awaiting your confirmation", "等待你确认收货"),
    "no_lots": ("No lots yet. Harvest the first one.", "还没有批次。先采收一个吧。"),
    "lots_page": ("Lots {first}–{last} of {n}, changed last first", "第 {first}–{last} 个，共 {n} 个，最近变更的在前"),
    "page_newer": ("← Newer", "← 较新"),
    "page_older": ("Older →", "较早 →"),
    "lots_pages": ("Lot pages", "批次分页"),
    "harvest_new": ("Harvest a lot", "采收新批次"),
    "col_lot": ("Lot", "批次"),
    "col_product": ("Product", "产品"),
    "col_quantity": ("Quantity", "数量"),
    "col_status": ("Status", "状态"),
    "col_custodian": ("Custodian", "保管方"),
    "col_origin": ("Origin", "产地"),
    "col_updated": ("Updated", "更新时间"),
    "journey": ("Journey", "流转历程"),
    "actions": ("Actions", "操作"),
    "actions_hint": (
        "Forms are filled with sensible defaults. The contract decides who may do what.",
        "表单已填入默认值。由智能合约决定谁可以执行什么操作。",
    ),
    "your_role": ("for your role", "适合你的角色"),
    "other_roles": ("other roles (the contract will refuse)", "其他角色（合约会拒绝）"),
    "submit": ("Submit", "提交"),
    "evaluate": ("Query", "查询"),
    "sending": ("Sending to the ledger…", "正在提交到账本…"),
    "committed": ("Committed", "已上链"),
    "refused": ("Refused", "被拒绝"),
    "result": ("Result", "结果"),
    "tx": ("Transaction", "交易"),
    "block": ("Block", "区块"),
    "endorsed_by": ("Endorsed by", "背书组织"),
    "signed_by": ("signed by", "签名者"),
    "creator": ("Submitted by", "提交方"),
    "validation": ("Validation", "验证结果"),
    "proof": ("Ledger proof", "账本证明"),
    "open_lot": ("Open the lot", "打开批次"),
    "trace": ("Trace & recall graph", "追溯与召回图"),
    "consumer_view": ("Consumer page", "消费者页面"),
    "epcis_export": ("EPCIS 2.0 events", "EPCIS 2.0 事件"),
    "fsma_report": ("FSMA 204 records", "FSMA 204 追溯记录"),
    "chart_legend": ("green band: allowed range; red: a breach", "绿色区域：允许范围；红点：超限"),
    "route_title": ("Route", "运输路线"),
    "route_km": ("about {km} km", "约 {km} 公里"),
    "route_legend": (
        "From the GPS checkpoints on the ledger: ● sites of the organisations, • checkpoints.",
        "根据账本上的 GPS 检查点绘制：● 各组织所在地，• 检查点。",
    ),
    "fsma_title": ("FSMA 204 traceability records", "FSMA 204 追溯记录"),
    "fsma_hint": (
        "One row per Critical Tracking Event with its Key Data Elements, read from the ledger: "
        "what the FDA asks for within 24 hours.",
        "每个关键追溯事件一行，含其关键数据要素，直接取自账本：FDA 要求 24 小时内提供的内容。",
    ),
    "fsma_product": ("Product", "产品"),
    "fsma_all_products": ("All products", "全部产品"),
    "fsma_show": ("Show", "显示"),
    "fsma_done": (
        "{rows} records, {lots} lot(s), built from the ledger in {ms} ms.",
        "{rows} 条记录（{lots} 个批次），从账本生成，用时 {ms} 毫秒。",
    ),
    "fsma_xlsx": ("Download the spreadsheet (XLSX)", "下载电子表格（XLSX）"),
    "qr_hint": ("Scan to open the public consumer page", "扫码打开公开的消费者页面"),
    "temperatures": ("Temperatures", "温度记录"),
    "allowed_band": ("allowed {min}…{max} °C", "允许范围 {min}…{max} °C"),
    "no_readings": ("No temperature readings yet.", "尚无温度读数。"),
    "certificates": ("Certificates", "证书"),
    "no_certificates": ("No certificates anchored.", "尚未锚定证书。"),
    "checkpoints": ("GPS checkpoints", "GPS 检查点"),
    "inputs": ("Inputs", "投入品"),
    "pending_transfer": ("Pending hand-over to {to}", "待交接给 {to}"),
    "farm": ("Farm", "农场"),
    "harvested_on": ("Harvested", "采收日期"),
    "quantity_left": ("{q} {u} left", "剩余 {q} {u}"),
    "parent": ("Made from", "来源批次"),
    "children": ("Packages", "包装批次"),
    "ancestors": ("Upstream", "上游"),
    "descendants": ("Downstream", "下游"),
    "holders": ("Current holders", "当前持有方"),
    "affected_retailers": ("Affected retailers", "受影响的零售商"),
    "none": ("none", "无"),
    "trace_hint": (
        "Upstream to the farm, downstream to every package. Recalled lots are red; retailers holding a "
        "piece are highlighted.",
        "上游追溯到农场，下游追踪到每个包装。已召回批次为红色，持有批次的零售商被高亮。",
    ),
    "verified": ("Verified on the ledger", "已在账本上验证"),
    "verified_detail": (
        "Every step below is a transaction signed by the organisation that did it.",
        "以下每一步都是由执行方签名的账本交易。",
    ),
    "recalled_warning": ("RECALLED — do not consume", "已召回 — 请勿食用"),
    "recalled_detail": ("Reason: {reason}", "原因：{reason}"),
    "clone_warning": (
        "Warning: this code was scanned at several places ({places}). It may be a copy.",
        "警告：此二维码在多个地点被扫描（{places}），可能是仿冒。",
    ),
    "scans": ("Scanned {n} times", "已被扫描 {n} 次"),
    "scanned_at": ("Scanned at", "扫描地点"),
    "scan_again": ("Scan here", "在此扫描"),
    "product": ("Product", "产品"),
    "origin": ("Origin", "产地"),
    "cold_chain_ok": ("Cold chain kept", "冷链完好"),
    "cold_chain_breach": ("Cold chain breached", "冷链中断"),
    "doc_title": ("Document check: tamper evidence", "文件核验：防篡改"),
    "doc_intro": (
        "Only a certificate's SHA-256 is on the ledger. Drop the document: if one byte changed, the hash "
        "no longer matches.",
        "账本上只保存证书的 SHA-256。拖入文件：哪怕改动一个字节，哈希也不再匹配。",
    ),
    "doc_drop": ("Drop a file here or click to choose", "将文件拖到这里或点击选择"),
    "doc_match": ("Match: the document is the one anchored on the ledger", "匹配：该文件与账本上锚定的一致"),
    "doc_mismatch": ("No match: this document differs from the anchored one", "不匹配：该文件与锚定的文件不同"),
    "doc_hash_only": ("Just compute the hash (to anchor a new certificate)", "仅计算哈希（用于锚定新证书）"),
    "anchored_hash": ("Anchored hash", "锚定的哈希"),
    "your_hash": ("Your document's hash", "你的文件哈希"),
    "anchored_on": ("anchored on lot {lot}", "锚定于批次 {lot}"),
    "certificate": ("Certificate", "证书"),
    "choose_lot": ("Lot", "批次"),
    "show": ("Show", "显示"),
    "price_title": ("Private prices: who can see what", "私密价格：谁能看到什么"),
    "price_intro": (
        "The price between processor and retailer lives in a private data collection. Only its hash is "
        "on the shared ledger.",
        "加工方与零售商之间的价格保存在私有数据集合中，共享账本上只有其哈希。",
    ),
    "price_visible": ("Can read the price", "可以读取价格"),
    "price_refused": ("Refused by the contract", "被合约拒绝"),
    "unit_price": ("Unit price", "单价"),
    "terms": ("Terms", "条款"),
    "hash": ("Hash", "哈希"),
    "verify_disclosed": ("Verify a disclosed price", "核验披露的价格"),
    "verify_hint": (
        "Paste the JSON someone disclosed to you; change one digit to see the check fail.",
        "粘贴对方披露的 JSON；改动一位数字即可看到核验失败。",
    ),
    "verify": ("Verify", "核验"),
    "price_match": ("Matches the hash on the ledger", "与账本上的哈希一致"),
    "price_mismatch": ("Does not match the hash on the ledger", "与账本上的哈希不一致"),
    "no_price": (
        "No price recorded for this lot yet. Set one as processor or retailer.",
        "此批次尚未记录价格。请以加工方或零售商身份设定。",
    ),
    "set_price": ("Set a price", "设定价格"),
    "ledger_title": ("Live ledger", "实时账本"),
    "ledger_intro": (
        "Blocks appear here as they commit. Each transaction shows who created it, who endorsed it and "
        "whether the peers accepted it.",
        "区块提交后即时显示。每笔交易显示创建方、背书方以及节点的验证结果。",
    ),
    "follower_connected": ("following blocks", "正在同步区块"),
    "follower_disconnected": ("reconnecting to the peer…", "正在重新连接节点…"),
    "txs": ("{n} tx", "{n} 笔交易"),
    "network_title": ("Network", "网络"),
    "network_intro": (
        "Every node is a real process: Raft or SmartBFT orderers, one peer per organisation and its chaincode server.",
        "每个节点都是真实进程：Raft 或 SmartBFT 排序节点、每个组织一个 Peer 及其链码服务。",
    ),
    "healthy": ("healthy", "健康"),
    "stopped": ("stopped", "已停止"),
    "starting": ("starting", "启动中"),
    "leader": ("ordering leader", "排序主节点"),
    "height": ("height", "高度"),
    "roles": ("Roles", "角色"),
    "channel": ("Channel", "通道"),
    "orderers": ("Ordering service", "排序服务"),
    "peer": ("Peer", "Peer 节点"),
    "chaincode_server": ("Chaincode server", "链码服务"),
    "operations_title": ("Operations", "操作"),
    "operations_intro": (
        "Every contract operation, generated from the operation catalogue.",
        "所有合约操作，由操作目录自动生成。",
    ),
    "back": ("Back", "返回"),
    "alert_temperature": (
        "Temperature alert: lot {lot} at {c} °C (allowed {min}…{max} °C) — quarantined",
        "温度警报：批次 {lot} 温度 {c} °C（允许 {min}…{max} °C）— 已隔离",
    ),
    "alert_recall": (
        "Recall: lot {lot} and {n} lot(s) made from it — {reason}",
        "召回：批次 {lot} 及其 {n} 个相关批次 — {reason}",
    ),
    "dismiss": ("Dismiss", "关闭"),
    "error": ("Error", "错误"),
    "error_title": ("Something was refused", "请求被拒绝"),
    "join_title": ("Join the demo", "加入演示"),
    "join_intro": ("Scan this code with your phone to drive the demo yourself.", "用手机扫描此二维码，亲自操作演示。"),
    "public_page": ("Public page: no login needed", "公开页面：无需登录"),
    "docs_api": ("API docs", "API 文档"),
    "role_grower": ("grower", "种植方"),
    "role_processor": ("processor", "加工方"),
    "role_retailer": ("retailer", "零售商"),
    "role_carrier": ("carrier", "承运方"),
    "step_for": ("for", "适用于"),
    "any_member": ("any member", "任何成员"),
    "private_fields": (
        "Private (transient) fields: never written to the shared ledger",
        "私密（瞬态）字段：不会写入共享账本",
    ),
    "endorsement": ("Endorsed by {orgs}", "由 {orgs} 背书"),
    "loading": ("Loading…", "加载中…"),
}

EVENT_LABELS: dict[str, tuple[str, str]] = {
    "LotHarvested": ("Harvested", "采收"),
    "InputRecorded": ("Input recorded", "记录投入品"),
    "CertificateAnchored": ("Certificate anchored", "锚定证书"),
    "LotProcessed": ("Processed", "加工"),
    "LotSplit": ("Split / packed", "分装"),
    "TransferProposed": ("Shipped", "发货"),
    "TransferAccepted": ("Received", "收货"),
    "TransferRejected": ("Delivery rejected", "拒收"),
    "TransferCancelled": ("Shipment cancelled", "取消发货"),
    "CheckpointRecorded": ("GPS checkpoint", "GPS 检查点"),
    "TemperatureRecorded": ("Temperature", "温度"),
    "TemperatureAlert": ("Temperature alert", "温度警报"),
    "QuarantineReleased": ("Quarantine released", "解除隔离"),
    "LotSold": ("Sold", "售出"),
    "AuthenticityChecked": ("Consumer scan", "消费者扫码"),
    "LotRecalled": ("Recalled", "召回"),
    "PriceRecorded": ("Private price recorded", "记录私密价格"),
    "ProductDefined": ("Product defined", "定义产品"),
    "RolesInitialized": ("Roles initialised", "初始化角色"),
}

STATUS_EN: dict[str, str] = {
    "HARVESTED": "Harvested",
    "PROCESSED": "Processed",
    "PACKAGED": "Packaged",
    "SPLIT": "Split",
    "IN_TRANSIT": "In transit",
    "RECEIVED": "Received",
    "QUARANTINED": "Quarantined",
    "SOLD": "Sold",
    "RECALLED": "Recalled",
}


def pick_lang(cookie: str | None, accept_language: str | None) -> str:
    if cookie in LANGS:
        return cookie  # type: ignore[return-value]
    if accept_language and accept_language.lower().startswith("zh"):
        return "zh"
    return "en"


def translator(lang: str) -> Callable[..., str]:
    index = 1 if lang == "zh" else 0

    def t(key: str, **values: object) -> str:
        pair = TEXTS.get(key) or PRESENT_TEXTS.get(key)
        text = pair[index] if pair else key
        return text.format(**values) if values else text

    return t


def status_label(status: str, lang: str) -> str:
    return (STATUS_ZH if lang == "zh" else STATUS_EN).get(status, status)


def event_label(name: str, lang: str) -> str:
    pair = EVENT_LABELS.get(name)
    return pair[1 if lang == "zh" else 0] if pair else name


def js_texts(lang: str) -> dict[str, str]:
    """The strings the JavaScript modules need, in the page's language."""
    t = translator(lang)
    keys = (
        "cc_bad_transient",
        "cc_evaluated",
        "sending",
        "committed",
        "refused",
        "tx",
        "block",
        "endorsed_by",
        "creator",
        "validation",
        "open_lot",
        "alert_temperature",
        "alert_recall",
        "dismiss",
        "txs",
        "doc_match",
        "doc_mismatch",
        "anchored_hash",
        "your_hash",
        "price_match",
        "price_mismatch",
        "follower_connected",
        "follower_disconnected",
        "result",
        "error",
        "loading",
        "anchored_on",
    )
    texts = {key: t(key) for key in keys}
    texts["events"] = {name: event_label(name, lang) for name in EVENT_LABELS}  # type: ignore[assignment]
    return texts


# -- the presenter and audience views ---------------------------------------------------------------
PRESENT_TEXTS: dict[str, tuple[str, str]] = {
    "present_title": ("Presenter", "演示者视图"),
    "choose_story": ("Choose the storyboard for this room", "为现场观众选择故事板"),
    "audience": ("Audience", "观众"),
    "minutes": ("{n} min", "{n} 分钟"),
    "scenes": ("{n} scenes", "{n} 个场景"),
    "start": ("Start", "开始"),
    "open_audience": ("Open the audience view", "打开观众视图"),
    "total": ("Total", "总计"),
    "this_scene": ("This scene", "本场景"),
    "talk_track": ("Talk track", "讲解词"),
    "run": ("Run on the network", "在网络上执行"),
    "running": ("Running…", "执行中…"),
    "waiting": ("Waiting for the customer…", "等待客户操作…"),
    "customer_drives": ("Let the customer drive", "交给客户操作"),
    "customer_done": ("The customer did it: it is on the ledger", "客户已完成：已写入账本"),
    "do_it_for_them": ("Do it for them", "代客户完成"),
    "back": ("Back", "上一步"),
    "next": ("Next", "下一步"),
    "skip": ("Skip", "跳过"),
    "next_up": ("Next: {title} ({n} min)", "下一个：{title}（{n} 分钟）"),
    "last_scene": ("Last scene: close with the next step", "最后一个场景：以下一步行动收尾"),
    "reset_demo": ("Reset the demo", "重置演示"),
    "reset_done": ("Back to the seeded state in {s}s", "已在 {s} 秒内恢复到初始数据"),
    "reset_confirm": ("Rewind the whole network to the seeded data set?", "将整个网络回退到初始数据？"),
    "actions_label": ("Live actions", "现场操作"),
    "no_actions": ("Nothing to run: talk and show the page.", "无需执行：讲解并展示页面即可。"),
    "expectations": ("Expected outcomes", "预期结果"),
    "passed": ("passed", "通过"),
    "failed": ("failed", "未通过"),
    "expected_refusal": ("refused as expected", "按预期被拒绝"),
    "scan_to_drive": ("Scan to do it yourself", "扫码亲自操作"),
    "value_title": ("What it is worth to you", "对您价值几何"),
    "value_recalls": ("Recalls or quality incidents per year", "每年召回或质量事件次数"),
    "value_cost": ("Cost of one recall (product, logistics, labour)", "单次召回成本（产品、物流、人工）"),
    "value_days": ("Days to trace a lot today", "目前追溯一个批次所需天数"),
    "value_share": ("Share of pulled product that was not affected (%)", "被下架但未受影响的产品比例（%）"),
    "value_counterfeit": ("Revenue lost to counterfeits per year", "每年因假冒损失的收入"),
    "value_counterfeit_cut": ("Counterfeit loss avoided by QR verification (%)", "扫码验真可减少的假冒损失（%）"),
    "value_saving": ("Estimated saving per year", "预计每年节省"),
    "value_trace": (
        "Trace time: {days} days today, {secs} s on the ledger",
        "追溯耗时：现在 {days} 天，账本上 {secs} 秒",
    ),
    "value_formula": (
        "recalls × cost × unaffected share + counterfeit loss × reduction",
        "召回次数 × 单次成本 × 未受影响比例 + 假冒损失 × 减少比例",
    ),
    "over_budget": ("over budget", "超时"),
    "follows_presenter": ("Follows the presenter", "跟随演示者"),
    "waiting_for_presenter": ("Waiting for the presenter to choose a storyboard…", "等待演示者选择故事板…"),
    "scene_of": ("Scene {i} of {n}", "第 {i} / {n} 个场景"),
}


def present_js_texts(lang: str) -> dict[str, str]:
    index = LANGS.index(lang) if lang in LANGS else 0
    return {key: pair[index] for key, pair in PRESENT_TEXTS.items()}
