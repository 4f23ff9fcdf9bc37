"""Word lists used by the detectors: surnames, place names, allowed domain words."""

from __future__ import annotations

# Single-character surnames: the ~400 most frequent in mainland China (covers >99.5% of people).
SURNAMES = frozenset(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程"
    "苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝"
    "龚邵万钱严覃武戴莫孔向汤常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左"
    "柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶"
    "解牟艾尤阳时穆农司卓古吉缪简车项连芦麦褚娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂全佟应臧闵苟邬"
    "边卞姬师和仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩明佘池查麻苑迟邝官封谈匡鞠惠荆乐冀郁胥南班储原"
    "栗燕楚鄢劳谌奚皮粟冼蔺楼盘满闻位厉伊仝区郜海阚花权强帅屠豆朴盖练廉禹井祖漆巴丰支卿国狄平计"
    "索宣晋相初门云容敬来扈晁芮都普阙浦戈伏鹿薄邸雍辜羊阿乌母裘亓修邰赫杭况那宿鲜印逯隆茹诸战慕"
    "危玉银亢嵇公哈湛宾戎勾茅利於呼居揭干但尉冶斯元束檀衣信展阴昝智幸奉植衡富尧闭由"
)

COMPOUND_SURNAMES = frozenset(
    "欧阳 司马 诸葛 上官 东方 皇甫 令狐 慕容 夏侯 尉迟 公孙 长孙 宇文 司徒 独孤 端木 南宫 西门 "
    "轩辕 呼延 万俟 闻人 赫连 澹台 公冶 太史 申屠 濮阳 钟离 百里 东郭 司空".split()
)

# Gaotang County, its parent units and its towns and streets: allowed in published text.
ADMIN_AREAS = (
    "山东省", "山东", "聊城市", "聊城", "高唐县", "高唐",
    "鱼丘湖街道", "汇鑫街道", "人和街道", "梁村镇", "尹集镇", "清平镇", "固河镇", "三十里铺镇",
    "琉璃寺镇", "赵寨子镇", "姜店镇", "杨屯镇", "高唐经济开发区", "经济开发区", "开发区",
    "鱼丘湖", "汇鑫", "人和", "梁村", "尹集", "清平", "固河", "三十里铺", "琉璃寺", "赵寨子",
    "姜店", "杨屯", "东昌府区", "茌平区", "临清市", "冠县", "莘县", "阳谷县", "东阿县",
)

# Words that jieba tags as person names (nr) but that are roles, kinship terms, places or
# ordinary words in case stories. A hit on one of these is never a name.
NAME_ALLOW = frozenset(
    """
    申请人 患者 病人 村民 居民 家属 老人 孩子 母亲 父亲 医生 大夫 护士 儿子 女儿 妻子 丈夫 爱人 老伴
    爷爷 奶奶 外公 外婆 姥姥 姥爷 哥哥 姐姐 弟弟 妹妹 孙子 孙女 外孙 外孙女 儿媳 女婿 公公 婆婆
    叔叔 阿姨 伯伯 舅舅 姑姑 大爷 大娘 大妈 大伯 大叔 大姐 大哥 老汉 老太 老太太 老大爷 老大娘
    户主 本人 当事人 监护人 联系人 救助对象 求助人 志愿者 社工 网格员 书记 主任 村医 村干部 干部
    学生 同学 老师 校长 班主任 师傅 老板 同事 邻居 亲戚 亲属 乡亲 村里 村委 村委会 居委会 社区
    民政 民政局 残联 医保 人社 卫健 住建 教育局 慈善 慈善总会 红十字会 高唐 高唐县 聊城 山东 县城
    镇上 梁村 尹集 清平 固河 杨屯 姜店 琉璃寺 赵寨子 三十里铺 鱼丘湖 汇鑫 人和 低保 特困 五保
    救急难 临时救助 医疗救助 大病 重病 白血病 尿毒症 透析 化疗 手术 住院 康复 残疾 智障 脑瘫
    高考 中考 上学 学费 生活费 医药费 费用 家庭 困难 房屋 失火 车祸 意外 事故 暴雨 洪涝 冰雹
    明白 平安 齐鲁 银行卡 高兴 安康 吉祥 如意 长安 和平 文明 常年 常常 万元 余元 余额 金额 时间 同时 于是
    """.split()
)

# Characters that follow a name but are never the last character of a given name; used to
# decide whether a cue-introduced name has one or two given-name characters.
NAME_FOLLOWERS = frozenset(
    "的是在因于和与及等今现男女患说称被已年岁来去到从把对向也都还就又才将要会能可为了着过曾系自"
    "经一两二三四五六七八九十个位名户家之其所之每共同但而并且则即便虽"
    "病死说讲问答看想做干拿送找买卖借欠住离走跑哭吃喝睡躺坐站叫让请帮替给陪跟随不没很太更最却乃"
    "，。、；：！？（）,.;:!?()\"' \n"
)

# Words that look like "<prefix>村" but are not village names.
GENERIC_VILLAGE_PREFIXES = frozenset(
    """
    农 乡 本 该 全 同 外 邻 山 渔 各 此 其 他 她 我 你 老家 邻近 附近 贫困 偏远 小 大 新农 城中 城郊
    美丽乡 示范 文明 进 回 出 返 整 这个 那个 一个 两个 几个 每个 各个 多个 周边 所在 当地 本地
    异地 外地 山区 荒 空心 移民 搬迁 合并 行政 自然 驻 包 帮扶 结对 贫 穷 富 旅游 特色 留守 下
    """.split()
)

GENERIC_PLACES = frozenset(
    """
    农村 乡村 山村 村里 村子 本村 该村 全村 同村 外村 邻村 渔村 小村 村庄 城里 县城 镇上 老家
    家里 医院 学校 敬老院 养老院 福利院 幸福院 卫生院 卫生室 亲戚家 外地 外省 城区 市区 小区
    """.split()
)
