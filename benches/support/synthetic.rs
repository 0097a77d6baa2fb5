//! Generated rule packs for scale benchmarks: N rules, each one inline regex built
//! deterministically (fixed seed) from a scam-talk vocabulary in English and Chinese.
//!
//! Shared by `benches/rule_scale.rs`, `benches/allocations.rs`, the engine's
//! equivalence test and `examples/synthetic_rules.rs` (which writes the same patterns
//! for `scripts/bench-hyperscan.py`). Patterns use only syntax Rust's `regex` and
//! Hyperscan read alike, except `(?-u:\b)`, which `hyperscan_pattern` turns into `\b`.

#![allow(dead_code)]

const EN: &[&str] = &[
    "account",
    "verify",
    "password",
    "login",
    "suspended",
    "locked",
    "payment",
    "refund",
    "invoice",
    "order",
    "parcel",
    "delivery",
    "customs",
    "fee",
    "tax",
    "prize",
    "winner",
    "claim",
    "reward",
    "bonus",
    "gift",
    "card",
    "bank",
    "transfer",
    "wire",
    "urgent",
    "immediately",
    "today",
    "click",
    "link",
    "update",
    "details",
    "confirm",
    "security",
    "alert",
    "unusual",
    "activity",
    "limited",
    "restore",
    "access",
    "support",
    "team",
    "customer",
    "service",
    "official",
    "seller",
    "store",
    "shop",
    "amazon",
    "paypal",
    "ebay",
    "shopify",
    "wallet",
    "crypto",
    "bitcoin",
    "usdt",
    "investment",
    "profit",
    "loan",
    "credit",
    "approved",
    "cash",
    "deposit",
    "withdraw",
    "balance",
    "funds",
    "release",
    "pending",
    "review",
    "policy",
    "violation",
    "trademark",
    "copyright",
    "infringement",
    "appeal",
    "whatsapp",
    "telegram",
    "contact",
    "call",
    "number",
    "code",
    "otp",
    "pin",
    "sms",
    "message",
    "reply",
    "free",
    "offer",
    "deal",
    "discount",
    "coupon",
    "voucher",
    "points",
    "expire",
    "expired",
    "final",
    "notice",
    "warning",
    "legal",
    "action",
    "court",
    "police",
    "fine",
    "penalty",
    "unpaid",
    "overdue",
    "subscription",
    "renewal",
    "membership",
    "package",
    "shipment",
    "tracking",
    "address",
    "warehouse",
    "agent",
    "manager",
    "partner",
    "job",
    "salary",
    "commission",
    "task",
    "recharge",
];

const ZH: &[&str] = &[
    "账户",
    "验证",
    "密码",
    "登录",
    "冻结",
    "封号",
    "付款",
    "退款",
    "订单",
    "包裹",
    "快递",
    "海关",
    "关税",
    "费用",
    "中奖",
    "奖金",
    "领取",
    "红包",
    "礼品",
    "银行",
    "转账",
    "汇款",
    "紧急",
    "立即",
    "今天",
    "点击",
    "链接",
    "更新",
    "资料",
    "确认",
    "安全",
    "异常",
    "限制",
    "恢复",
    "客服",
    "官方",
    "卖家",
    "店铺",
    "亚马逊",
    "钱包",
    "投资",
    "收益",
    "贷款",
    "额度",
    "审核",
    "保证金",
    "提现",
    "余额",
    "资金",
    "解冻",
    "违规",
    "侵权",
    "商标",
    "申诉",
    "微信",
    "联系",
    "电话",
    "验证码",
    "短信",
    "回复",
    "免费",
    "优惠",
    "积分",
    "过期",
    "通知",
    "警告",
    "法院",
    "警方",
    "罚款",
    "欠费",
    "会员",
    "续费",
    "物流",
    "地址",
    "仓库",
    "代理",
    "经理",
    "兼职",
    "佣金",
    "任务",
    "充值",
    "刷单",
    "返利",
    "入驻",
    "招商",
    "开店",
];

/// A small deterministic generator (splitmix64).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn pick<'a>(&mut self, words: &[&'a str]) -> &'a str {
        words[self.below(words.len())]
    }
}

/// The `n` generated regexes, in Rust syntax, the same for every call.
pub fn patterns(n: usize) -> Vec<String> {
    let mut rng = Rng(0x5e11_e76a_7d00_0011);
    (0..n).map(|_| pattern(&mut rng)).collect()
}

fn pattern(rng: &mut Rng) -> String {
    let (e1, e2, e3) = (rng.pick(EN), rng.pick(EN), rng.pick(EN));
    let (z1, z2, z3) = (rng.pick(ZH), rng.pick(ZH), rng.pick(ZH));
    let gap = 5 + rng.below(40);
    match rng.below(20) {
        0..=3 => format!("(?-u:\\b){e1} (?:your |the |our )?{e2}(?-u:\\b)"),
        4..=6 => format!("{e1}.{{0,{gap}}}{e2}"),
        7..=8 => format!("(?:{e1}|{e2}|{e3}) ?[0-9]{{3,8}}"),
        9..=11 => format!("{z1}.{{0,{gap}}}(?:{z2}|{z3})"),
        12..=13 => format!("(?:{z1}|{z2}){z3}"),
        14 => format!("(?-u:\\b){e1}(?-u:\\b)"),
        15 => format!("{z1}[0-9]{{2,6}}{z2}?"),
        16 => format!("(?:{e1}|{z1}).{{0,{gap}}}(?:{e2}|{z2})"),
        17 => format!("{e1}s? (?:{e2}|{e3})"),
        18 => format!("[a-z0-9]{{2,8}}-{e1}\\.(?:com|net|top)"),
        _ => format!("[0-9]{{3}}-[0-9]{{4}}-[0-9]{{{}}}", 3 + rng.below(3)),
    }
}

/// A rule file with one rule per generated regex.
pub fn rule_file(n: usize) -> String {
    rule_files(n, n.max(1)).concat()
}

/// The same rules split in files of at most `per_file` rules (a rule file is capped
/// at 256 KiB, about 1,500 of these rules).
pub fn rule_files(n: usize, per_file: usize) -> Vec<String> {
    let patterns = patterns(n);
    patterns
        .chunks(per_file)
        .enumerate()
        .map(|(chunk, ps)| {
            let mut text = String::new();
            for (j, p) in ps.iter().enumerate() {
                let i = chunk * per_file + j;
                text.push_str(&format!(
                    "[[rule]]\nid = \"gen.r{i:05}\"\nfamily = \"general-smishing\"\nweight = 5\n\
                     regex = ['{p}']\nexplain = {{ zh = \"生成的规则\", en = \"generated rule\" }}\n\n"
                ));
            }
            text
        })
        .collect()
}

/// The same regex in Hyperscan's syntax (ASCII word boundaries are `\b` there).
pub fn hyperscan_pattern(pattern: &str) -> String {
    pattern.replace("(?-u:\\b)", "\\b")
}
