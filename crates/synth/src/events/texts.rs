//! The words of a generated history: how often each category of the catalog comes up, what
//! reporters see, what departments and grid workers answer, and the reasons and notes of
//! the loop's other steps. `{n}` in a phrase stands for a small number.

use crate::rng::Rng;

/// A phrase and the items it fits: those whose name contains one of the `|`-separated
/// keys, or every item of the category for an empty key.
pub(super) type Keyed = (&'static str, &'static str);

/// One category of the default catalog as it appears in reports.
pub(super) struct CategoryText {
    pub name: &'static str,
    /// Relative share of reports; the seeds' everyday problems (rubbish, roads and lights,
    /// stalls and barbecue smoke, disputes, property management) come first.
    pub weight: f64,
    /// What the reporter saw, after the place and the item's name.
    pub details: &'static [Keyed],
    /// A department's result when it hands the case back.
    pub results: &'static [Keyed],
    /// A grid worker's result when settling on the spot; an item no phrase fits is not
    /// settled on the spot.
    pub settles: &'static [Keyed],
}

pub(super) const CATEGORIES: &[CategoryText] = &[
    CategoryText {
        name: "市容环境",
        weight: 18.0,
        details: &[
            ("垃圾|渣土", "现场约有{n}袋垃圾堆放，气味较大，影响周边居民"),
            ("垃圾|渣土", "已堆积{n}天无人清运，招引蚊蝇"),
            ("广告|涂写|横幅|店招", "影响市容市貌，附近居民多次反映"),
            ("", "影响市容环境，附近居民多次反映"),
            ("", "现场情况较为明显，请尽快处理"),
        ],
        results: &[
            ("垃圾|渣土|不洁", "已安排环卫作业人员清理完毕，现场恢复整洁"),
            ("广告|涂写|横幅|店招", "已清除完毕，并对责任人进行了教育"),
            ("", "已联系责任单位整改到位，现场已复原"),
        ],
        settles: &[
            ("垃圾|不洁", "已联系保洁员现场清理完毕"),
            (
                "广告|涂写|晾晒|横幅",
                "已现场劝导责任人自行清除，现场恢复整洁",
            ),
        ],
    },
    CategoryText {
        name: "街面秩序",
        weight: 12.0,
        details: &[
            ("经营|摊贩", "占用人行道约{n}米，行人需绕行"),
            ("烧烤", "每天傍晚至深夜持续经营，油烟和噪声扰民"),
            ("停|车辆|单车", "占用人行道和盲道，影响通行"),
            ("喇叭", "音量很大，周边住户不堪其扰"),
            ("", "多次劝导后仍有反复"),
            ("", "影响道路通行和市容秩序"),
        ],
        results: &[
            ("经营|摊贩|烧烤", "已依法劝离并责令整改，现场秩序恢复"),
            ("停|车辆|单车", "已清理并规范停放，现场恢复通行"),
            ("", "已责令当事人整改，签订门前三包责任书"),
        ],
        settles: &[
            ("经营|摊贩", "已现场劝导商户将物品收回店内"),
            ("非机动车|单车|堆放", "已组织人员现场摆放整齐，恢复通行"),
            ("喇叭", "已劝导商户关闭高音喇叭"),
        ],
    },
    CategoryText {
        name: "园林绿化",
        weight: 5.0,
        details: &[
            (
                "倒伏|危树|枯死",
                "树木根部松动，向人行道方向倾斜，大风天气存在倒伏危险",
            ),
            ("危树|枯死", "树干出现空洞，枝条枯死，存在断枝坠落隐患"),
            ("遮挡|电线", "枝叶过密，存在安全隐患"),
            ("绿地|种菜|缺株", "绿化带被破坏约{n}0平方米"),
            ("", "影响周边环境，居民反映较多"),
        ],
        results: &[
            (
                "倒伏|危树|枯死|遮挡|电线",
                "已对树木进行修剪加固，消除安全隐患",
            ),
            ("绿地|种菜|缺株|黄土", "已补植绿化苗木，并设置护栏防止踩踏"),
            ("", "已安排园林养护人员处理完毕"),
        ],
        settles: &[
            ("垃圾", "已组织居民清理绿化带内杂物"),
            ("种菜", "已劝导居民自行清除所种蔬菜"),
        ],
    },
    CategoryText {
        name: "市政设施",
        weight: 14.0,
        details: &[
            ("路灯", "共有{n}盏路灯夜间不亮，行人出行不便"),
            ("井盖", "车辆经过时发出异响，存在安全隐患"),
            (
                "路面|人行道|塌陷|挖掘",
                "面积约{n}平方米，雨天积水，已有行人绊倒",
            ),
            ("下水道|篦子|积水|污水", "下雨时路面积水严重，影响通行"),
            ("", "影响群众正常出行，存在安全隐患"),
            ("", "已持续{n}天，群众反映较多"),
        ],
        results: &[
            ("路灯", "已更换灯具和线路，路灯恢复正常照明"),
            ("井盖", "已更换新井盖并加固井座，隐患已消除"),
            ("路面|人行道|塌陷|挖掘", "已对破损路面进行修补，恢复平整"),
            ("下水道|篦子|积水|污水", "已疏通管道，排水恢复正常"),
            ("", "已组织维修完毕，设施恢复正常使用"),
        ],
        settles: &[],
    },
    CategoryText {
        name: "交通运输",
        weight: 3.0,
        details: &[
            ("停车|拥堵", "早晚高峰尤为严重"),
            ("", "存在交通安全隐患"),
            ("", "群众反映较多，希望尽快解决"),
        ],
        results: &[
            ("黑车|营运|拒载|超载", "已对违规车辆进行查处"),
            ("", "已协调相关单位处理完毕，并向群众反馈"),
        ],
        settles: &[],
    },
    CategoryText {
        name: "安全隐患",
        weight: 9.0,
        details: &[
            ("充电", "夜间充电时无人看管，存在火灾隐患"),
            ("飞线", "有住户从{n}楼窗户拉出电线充电"),
            ("消防通道", "消防车无法通行"),
            ("消防设施|消火栓", "灭火器过期，消火栓无水"),
            ("燃气", "现场闻到明显异味，居民担心存在泄漏"),
            ("墙体|外墙|危房|自建房", "墙体出现明显裂缝，居民担心安全"),
            ("", "存在较大安全隐患，需尽快排除"),
        ],
        results: &[
            ("电动自行车", "已清理违规充电车辆和线路，并宣传安全充电知识"),
            ("消防", "已联合消防部门现场检查，责令整改并完成复查"),
            ("燃气", "已关阀检修，更换老化管件，隐患已消除"),
            ("", "已组织专业人员排查，隐患已整改消除"),
        ],
        settles: &[
            (
                "进楼入户",
                "已现场劝导居民将电动自行车移出楼道，并宣传安全充电知识",
            ),
            ("消防通道", "已劝导车主挪车，消防通道恢复畅通"),
        ],
    },
    CategoryText {
        name: "矛盾纠纷",
        weight: 8.0,
        details: &[
            ("邻里|漏水", "两户居民多次争吵，情绪较为激动"),
            ("债务|合同|工资|欠", "当事人反映对方拖欠款项{n}万元未还"),
            ("", "双方协商未果，请求调解"),
            ("", "双方各执一词，矛盾有激化苗头"),
        ],
        results: &[
            ("", "经调解双方达成一致意见，签订调解协议书"),
            ("", "已组织双方当面调解，矛盾已化解"),
            (
                "债务|合同|工资|劳动|租赁|赔偿",
                "已引导当事人通过法律途径解决，并提供法律援助",
            ),
        ],
        settles: &[
            (
                "邻里|漏水|家庭|婚姻|赡养",
                "网格员现场组织双方调解，双方达成谅解",
            ),
            ("邻里|漏水", "已上门做双方工作，矛盾已化解"),
        ],
    },
    CategoryText {
        name: "治安管理",
        weight: 5.0,
        details: &[
            ("噪声|广场舞", "晚上持续到十点以后，影响周边居民休息"),
            ("可疑", "多次在小区内徘徊"),
            ("犬", "居民担心被咬伤"),
            ("", "居民反映强烈，存在治安隐患"),
        ],
        results: &[
            ("噪声|广场舞", "已联系当事人调低音量并约定活动时间"),
            ("犬", "已对养犬人进行批评教育，并告知相关规定"),
            ("", "已加强巡逻防控，排除治安隐患"),
        ],
        settles: &[
            ("噪声|广场舞", "已现场劝导当事人降低音量，居民认可"),
            ("违规养犬", "已提醒养犬人文明养犬、牵绳出行"),
        ],
    },
    CategoryText {
        name: "物业管理",
        weight: 9.0,
        details: &[
            ("楼道", "堵塞疏散通道，夜间出行不便"),
            ("垃圾|脏乱|化粪池", "环境脏乱，气味较大"),
            ("电梯|设施|漏水", "已{n}天无人维修"),
            ("", "业主多次向物业反映未果"),
        ],
        results: &[
            ("楼道堆放", "已督促物业公司清理完毕并建立巡查制度"),
            ("", "已督促物业公司整改完毕"),
            ("", "已约谈物业公司负责人，限期整改到位"),
        ],
        settles: &[
            ("楼道堆放", "已组织楼栋长和住户清理楼道杂物"),
            ("楼道灯", "已联系物业电工现场更换灯泡"),
        ],
    },
    CategoryText {
        name: "住房建设",
        weight: 5.0,
        details: &[
            (
                "违法建设|占地建房",
                "有人在屋顶搭建彩钢棚，面积约{n}0平方米",
            ),
            ("夜间施工", "晚上十点后仍在施工，噪声扰民"),
            ("扬尘", "未采取覆盖措施，扬尘较大"),
            ("承重", "邻居担心房屋安全"),
            ("", "群众反映较多，希望尽快解决"),
        ],
        results: &[
            ("违法建设|占地建房", "已下达限期拆除通知书，违建已拆除"),
            ("夜间施工", "已责令施工单位停止夜间施工"),
            ("扬尘|围挡", "已督促工地落实覆盖、洒水等降尘措施"),
            ("", "已督促相关单位整改完毕，并向群众反馈"),
        ],
        settles: &[(
            "新增在建违法建设",
            "已现场劝阻当事人停止搭建，当事人已自行拆除",
        )],
    },
    CategoryText {
        name: "水电气讯",
        weight: 4.0,
        details: &[
            ("停水|水压", "已超过{n}小时，居民生活受影响"),
            ("电压|跳闸|停电", "家中电器无法正常使用"),
            ("线缆|电线|杆线", "距离地面不足两米，存在安全隐患"),
            ("爆裂", "路面大量积水"),
            ("", "居民生活受到影响"),
        ],
        results: &[
            ("水", "已抢修完毕，供水恢复正常"),
            ("电", "已检修线路，供电恢复正常"),
            (
                "线缆|杆线|信号|宽带|光纤",
                "已整理规范线缆并检修，通信恢复正常",
            ),
            ("燃气", "已检修完毕，供气恢复正常"),
            ("", "已处理完毕，并向居民反馈"),
        ],
        settles: &[],
    },
    CategoryText {
        name: "生态环境",
        weight: 3.0,
        details: &[
            ("油烟", "周边住户无法开窗"),
            ("河道|水体|污水|废水", "水体发黑发臭"),
            ("废气|异味|喷漆|焚烧|秸秆", "气味刺鼻，周边居民反映强烈"),
            ("噪声", "昼夜不停，影响休息"),
            ("", "周边居民反映强烈"),
        ],
        results: &[
            ("油烟", "已责令安装油烟净化设施并通过检测"),
            ("河道|水体", "已组织河道清淤保洁，水质明显改善"),
            ("", "已现场检测并责令整改，向群众反馈处理结果"),
        ],
        settles: &[],
    },
    CategoryText {
        name: "农业水利",
        weight: 1.5,
        details: &[("", "影响农业生产和群众生活"), ("", "需尽快处理")],
        results: &[
            ("河道|河塘", "已组织人员清理，河道恢复整洁"),
            ("渠道", "已修复渠道，恢复灌溉"),
            ("捕捞|采砂|私挖", "已制止违法行为并没收作业工具"),
            ("", "已组织人员处置完毕"),
        ],
        settles: &[],
    },
    CategoryText {
        name: "市场监管",
        weight: 2.5,
        details: &[
            ("食品|餐饮|作坊", "卫生条件较差，消费者担心食品安全"),
            ("价格|计量|缺斤", "多名消费者投诉"),
            ("", "消费者投诉较多"),
        ],
        results: &[
            ("无证", "已责令停业整改，办理相关证照"),
            ("食品|过期|后厨|作坊|假冒", "已下架问题商品并立案调查"),
            ("", "已责令商家整改，并向投诉人反馈"),
        ],
        settles: &[],
    },
    CategoryText {
        name: "民生服务",
        weight: 4.0,
        details: &[
            ("老人|养老", "老人行动不便，生活困难需要帮扶"),
            ("申请|办理|补贴|津贴", "不清楚办理流程，请求帮助"),
            ("", "请求相关部门帮助解决"),
        ],
        results: &[
            (
                "申请|办理|补贴|津贴|登记",
                "已为居民讲解政策并协助提交申请材料",
            ),
            ("老人|儿童|困难|帮扶|求助", "已上门核实情况，落实帮扶措施"),
            ("", "已协调相关单位解决，并向居民反馈"),
        ],
        settles: &[("申请|补贴|津贴", "网格员已上门讲解政策，并协助准备申请材料")],
    },
    CategoryText {
        name: "教育卫生",
        weight: 2.0,
        details: &[
            ("老鼠|蚊蝇", "居民担心卫生问题"),
            ("校门口", "上下学时段交通混乱"),
            ("", "群众反映较多"),
        ],
        results: &[
            ("老鼠|蚊蝇", "已组织病媒生物消杀，环境明显改善"),
            ("校门口", "已安排警力和志愿者在上下学时段维护秩序"),
            ("非法行医|无证办学|违规", "已依法取缔并立案查处"),
            ("", "已协调相关单位处理，并向群众反馈"),
        ],
        settles: &[],
    },
];

/// A category the default catalog does not have (an admin's own) still gets words.
pub(super) const OTHER: CategoryText = CategoryText {
    name: "",
    weight: 1.0,
    details: &[("", "居民反映较为强烈，希望尽快处理")],
    results: &[("", "已按结案标准处置完毕")],
    settles: &[],
};

/// The phrases that fit an item: those keyed to its name, or else the general ones.
pub(super) fn fitting(phrases: &[Keyed], item_name: &str) -> Vec<&'static str> {
    let keyed =
        |&&(keys, _): &&Keyed| !keys.is_empty() && keys.split('|').any(|k| item_name.contains(k));
    let mut out: Vec<&'static str> = phrases.iter().filter(keyed).map(|p| p.1).collect();
    if out.is_empty() {
        out = phrases
            .iter()
            .filter(|p| p.0.is_empty())
            .map(|p| p.1)
            .collect();
    }
    out
}

/// Items that come up more often than others of their category, by a part of their name.
const COMMON_ITEMS: &[(&str, f64)] = &[
    ("暴露垃圾", 4.0),
    ("垃圾桶满溢", 3.0),
    ("路灯不亮", 4.0),
    ("井盖", 3.0),
    ("路面破损", 3.0),
    ("占道经营", 3.0),
    ("露天烧烤", 3.0),
    ("流动摊贩", 2.0),
    ("非机动车乱停", 2.0),
    ("邻里纠纷", 4.0),
    ("楼上漏水", 2.0),
    ("物业服务纠纷", 2.0),
    ("楼道堆放杂物", 3.0),
    ("楼道灯不亮", 2.0),
    ("违法建设", 2.0),
    ("倒伏", 2.0),
    ("危树", 2.0),
    ("电动自行车", 3.0),
    ("消防通道堵塞", 2.0),
    ("油烟扰民", 2.0),
    ("噪声扰民", 1.5),
];

/// Words of a category, by its name.
pub(super) fn category(name: &str) -> &'static CategoryText {
    CATEGORIES.iter().find(|c| c.name == name).unwrap_or(&OTHER)
}

/// How much more often than its category's other items an item is reported.
pub(super) fn item_weight(item_name: &str) -> f64 {
    COMMON_ITEMS
        .iter()
        .filter(|(part, _)| item_name.contains(part))
        .map(|&(_, w)| w)
        .fold(1.0, f64::max)
}

/// A phrase with its `{n}` filled in.
pub(super) fn fill(rng: &mut Rng, phrase: &str) -> String {
    if phrase.contains("{n}") {
        phrase.replace("{n}", &rng.range(2, 9).to_string())
    } else {
        phrase.to_owned()
    }
}

pub(super) const VERIFY: &[&str] = &["", "经核实情况属实，予以立案", "情况属实，立案交办"];
pub(super) const DISPATCH: &[&str] = &["", "请按时限办理并反馈", "请尽快到现场处置"];
pub(super) const DECLINE: &[&str] = &[
    "经核实，现场未发现所反映的问题",
    "反映情况与事实不符，已向反映人解释说明",
    "不属于网格化事项受理范围，已告知反映人相关办理渠道",
    "问题已由责任单位自行整改完毕，无需立案",
];
pub(super) const RETURN: &[&str] = &[
    "经核实不属于本部门职责范围，请重新交办",
    "该处不在本单位管养范围，请核实后重新交办",
];
pub(super) const ESCALATE: &[&str] = &[
    "涉及多个部门，本级协调不成，提请上级协调",
    "问题较复杂，本级无法解决，请求上级支持",
];
pub(super) const PROGRESS: &[&str] = &[
    "已到现场查看，正在制定处置方案",
    "已联系相关责任单位，正在协调处理",
    "材料已到位，正在组织施工",
];
pub(super) const SUPERVISE: &[&str] = &["请抓紧办理，按时反馈结果", "群众反映强烈，请加快处置进度"];
pub(super) const SUPERVISE_LATE: &[&str] = &[
    "该事件已超期，请今日内办结并反馈",
    "已超过办理时限，请说明原因并尽快办结",
];
pub(super) const EXTENSION: &[&str] = &[
    "需采购配件，申请延期",
    "涉及多方协调，需延长办理时间",
    "受天气影响无法施工，申请延期",
];
pub(super) const APPROVE: &[&str] = &["", "同意延期，请在延长期限内办结"];
pub(super) const REJECT: &[&str] = &["时限充足，请按期办结", "理由不充分，请按原时限办理"];
pub(super) const CHECK_PASS: &[&str] = &["", "现场核查已整改到位", "经回访群众，问题已解决"];
pub(super) const CHECK_FAIL: &[&str] = &[
    "现场复核仍有残留，请重新处置",
    "群众反映问题未彻底解决，请返工",
];
pub(super) const SUSPEND: &[&str] = &[
    "需纳入年度改造计划统筹解决",
    "涉及产权争议，待相关部门认定后处理",
    "需等待雨季结束后施工",
];

/// Comments with a rating, best first (index 0 for 5 points).
const COMMENTS: [&[&str]; 5] = [
    &[
        "处理及时，非常满意",
        "网格员和部门办事效率高，点赞",
        "问题彻底解决了，谢谢",
    ],
    &["基本满意，处理还算及时", "问题解决了，希望以后多巡查"],
    &["问题解决了，但时间有点长", "处理一般，希望加强后续管理"],
    &["拖了很久才处理，不太满意", "处理不彻底，仍有反复"],
    &["问题没有解决，很不满意", "反映多次才有人处理，不满意"],
];

/// A comment for a rating of 1 to 5.
pub(super) fn comment(rng: &mut Rng, score: u8) -> &'static str {
    let pool = COMMENTS[usize::from(5 - score.clamp(1, 5))];
    rng.pick(pool)
}

/// A place in the grid for the description: a road, a building or a spot of the community.
pub(super) fn place(rng: &mut Rng, community: &str, roads: &[String], village: bool) -> String {
    let road = |rng: &mut Rng| {
        roads
            .get(rng.below(roads.len() as u32) as usize)
            .map_or("", String::as_str)
            .to_owned()
    };
    if village {
        return match rng.below(3) {
            0 => format!(
                "{community}{}组{}号屋旁",
                rng.range(1, 12),
                rng.range(1, 60)
            ),
            1 => format!("{community}通组公路旁"),
            _ => format!("{community}村民服务中心附近"),
        };
    }
    match rng.below(7) {
        0 => format!("{}{}号门前", road(rng), rng.range(1, 300)),
        1 => {
            let (a, b) = (road(rng), road(rng));
            if a == b {
                format!("{a}{}号附近", rng.range(1, 300))
            } else {
                format!("{a}与{b}交叉口")
            }
        }
        2 => format!("{community}{}栋楼下", rng.range(1, 30)),
        3 => format!(
            "{community}{}栋{}单元楼道",
            rng.range(1, 30),
            rng.range(1, 4)
        ),
        4 => format!("{}公交站旁", road(rng)),
        5 => format!("{community}农贸市场旁"),
        _ => format!("{community}小区{}门", rng.pick(&["东", "西", "南", "北"])),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use wangge_domain::catalog::default_catalog;

    #[test]
    fn every_default_category_has_words() {
        let catalog = default_catalog();
        let mut settleable = 0;
        for item in &catalog {
            let c = category(&item.category);
            assert_eq!(c.name, item.category, "{}", item.code);
            assert!(!fitting(c.details, &item.name).is_empty(), "{}", item.name);
            assert!(!fitting(c.results, &item.name).is_empty(), "{}", item.name);
            settleable += usize::from(!fitting(c.settles, &item.name).is_empty());
        }
        // Every keyed phrase fits some item.
        for c in CATEGORIES {
            for (keys, phrase) in c.details.iter().chain(c.results).chain(c.settles) {
                let fits = catalog.iter().any(|i| {
                    i.category == c.name
                        && (keys.is_empty() || keys.split('|').any(|k| i.name.contains(k)))
                });
                assert!(fits, "{phrase}");
            }
        }
        assert!((20..80).contains(&settleable), "{settleable}");
        assert_eq!(CATEGORIES.len(), 16);
        assert_eq!(category("自定义类别").name, "");
    }

    #[test]
    fn common_items_exist_and_phrases_fill() {
        let names: Vec<String> = default_catalog().into_iter().map(|i| i.name).collect();
        for (part, _) in COMMON_ITEMS {
            assert!(names.iter().any(|n| n.contains(part)), "{part}");
        }
        assert_eq!(item_weight("路灯不亮"), 4.0);
        assert_eq!(item_weight("桥梁设施损坏"), 1.0);
        let mut rng = Rng::new(1);
        let text = fill(&mut rng, "共有{n}盏路灯");
        assert!(!text.contains('{') && text.starts_with("共有"));
        for score in 1..=5 {
            assert!(!comment(&mut rng, score).is_empty());
        }
        let roads = vec!["建设路".to_owned(), "人民路".to_owned()];
        for _ in 0..50 {
            let p = place(&mut rng, "清水社区", &roads, false);
            assert!(!p.is_empty() && !p.contains("与建设路与"), "{p}");
        }
    }
}
