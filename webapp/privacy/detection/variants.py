"""Traditional and simplified forms of the characters people's names are written with.

A case record holds a name in simplified characters, but a story may have been typed on a
phone set to traditional characters, pasted from a Hong Kong or Taiwan letter, or the other
way round. Known-name matching accepts either form of every character. The table covers the
characters of common surnames and given names and of everyday words around them; it is not a
general converter.
"""

from __future__ import annotations

# Pairs of (traditional, simplified), written two characters at a time.
_PAIRS = (
    "陳陈劉刘張张趙赵吳吴孫孙馬马楊杨黃黄鄭郑謝谢許许韓韩馮冯鄧邓蕭萧葉叶蘇苏盧卢蔣蒋錢钱湯汤"
    "賴赖鍾钟鐘钟羅罗陸陆顧顾龔龚萬万譚谭嚴严賈贾鄒邹閆闫龍龙鄺邝聶聂莊庄魯鲁歐欧陽阳諸诸單单"
    "齊齐喬乔嶽岳顏颜衛卫鄔邬聞闻蘭兰閔闵鳳凤華华國国強强軍军偉伟紅红麗丽東东輝辉濤涛傑杰鵬鹏"
    "飛飞誌志興兴慶庆貴贵榮荣寶宝義义禮礼賢贤銀银錦锦鋒锋鋼钢鐵铁長长門门開开關关閣阁鳴鸣鴻鸿"
    "鶴鹤鷹鹰婭娅嬌娇嫻娴嬋婵瑩莹瓊琼環环蓮莲葦苇藝艺蘋苹薈荟蕓芸樂乐橋桥樹树楓枫棟栋權权歡欢"
    "漢汉潔洁澤泽濱滨瀟潇灣湾燦灿爾尔獻献璽玺當当發发髮发碩硕祿禄禎祯穎颖紀纪納纳純纯紹绍絲丝"
    "綠绿維维綺绮緒绪練练縣县繼继纓缨聖圣聯联聰聪肅肃臨临蓋盖蘆芦覺觉親亲記记詩诗誠诚語语諾诺"
    "謙谦證证議议讓让豐丰財财貞贞賓宾贊赞躍跃轉转農农運运達达遠远遙遥適适選选鄉乡醫医釗钊鈞钧"
    "鈴铃銘铭錚铮鍵键鎮镇鏡镜閏闰陣阵隊队際际隨随雙双雲云電电靈灵靜静韋韦順顺頌颂領领頤颐風风"
    "餘余驊骅驍骁體体鬆松鷗鸥麥麦黨党龐庞廣广彥彦徵征愛爱憲宪應应懷怀戰战擁拥曉晓曆历歷历書书"
    "會会業业極极樺桦標标歸归溫温滿满漁渔潤润濃浓燈灯營营爺爷瑋玮產产畢毕畫画療疗盡尽監监盤盘"
    "眾众礦矿禪禅種种穩稳窮穷競竞筆笔範范築筑簡简糧粮紋纹細细組组結结統统絕绝經经網网總总線线"
    "編编縱纵纖纤習习聲声職职腦脑舊旧艱艰蘊蕴號号補补裝装見见規规視视觀观計计設设評评詞词試试"
    "說说請请論论諧谐講讲譜谱讀读變变貓猫貝贝負负貨货貧贫貸贷費费資资賞赏質质購购贏赢趕赶車车"
    "軒轩較较輕轻載载輪轮辦办辭辞邊边郵邮鄰邻釋释針针鈺钰銳锐錄录錯错鍛锻鎖锁鐸铎閑闲間间闊阔"
    "陰阴險险隱隐雖虽離离難难霧雾韻韵響响頂顶項项預预頓顿頭头題题額额顯显飄飘飯饭飲饮養养館馆"
    "驗验駿骏騰腾驚惊鬥斗鮑鲍鮮鲜鳥鸟鴿鸽點点齡龄歲岁屬属寫写來来為为們们個个對对後后這这時时"
    "學学師师區区層层樓楼園园戶户電电話话兒儿婦妇媽妈夢梦嬰婴寧宁實实寬宽將将專专尋寻壽寿堯尧"
    "壯壮嶺岭崗岗島岛巖岩帥帅幫帮廈厦從从復复憶忆戀恋擔担據据數数斷断暢畅樣样湧涌滬沪潛潜濟济"
    "灑洒煙烟熱热燒烧爭争獅狮瑪玛璉琏瓏珑畝亩稱称積积籃篮粵粤綜综緊紧繩绳羨羡翹翘興兴艦舰虛虚"
    "蝦虾覽览觸触訓训訪访詳详誕诞謀谋譽誉護护賬账賽赛贈赠趨趋跡迹蹤踪輔辅輩辈辯辩邁迈醜丑銷销"
    "鋪铺錫锡鍋锅閩闽闖闯陝陕隴陇雜杂韌韧顆颗駕驾騎骑驅驱鬧闹鯉鲤鱗鳞鴉鸦鵑鹃鶯莺黴霉齒齿"
    "蓉蓉綿绵緣缘縉缙繡绣翺翱閎闳闓闿頎颀頡颉顥颢飈飚騏骐驥骥鯤鲲鴦鸯鵬鹏麒麒瀾澜灝灏煒炜"
    "瑤瑶璐璐琿珲礪砺穌稣築筑紳绅絢绚綸纶緯纬縈萦繽缤罡罡蕙蕙薔蔷蘊蕴虯虬詠咏誼谊諭谕謹谨"
    "譞谞贇赟軼轶輿舆遜逊鄺邝釧钏鈺钰鉅钜銓铨銚铫鋆鋆錕锟鍇锴鎧铠鑫鑫閬阆闌阑陝陕雋隽靚靓"
    "韜韬頊顼頫頫顓颛颯飒馳驰騫骞驛驿鬱郁鳶鸢鵲鹊鸝鹂黛黛齋斋淑淑芳芳秀秀梅梅蘭兰"
    "樑梁臺台鄭郑蕭萧劍剑濤涛贇赟倫伦輝辉誼谊瑋玮韡韡鋒锋嶸嵘巒峦崢峥"
)

TRAD_TO_SIMP: dict[str, str] = {}
SIMP_TO_TRAD: dict[str, set[str]] = {}
for _i in range(0, len(_PAIRS) - 1, 2):
    _trad, _simp = _PAIRS[_i], _PAIRS[_i + 1]
    if _trad != _simp:
        TRAD_TO_SIMP[_trad] = _simp
        SIMP_TO_TRAD.setdefault(_simp, set()).add(_trad)


def variants(ch: str) -> str:
    """ch and every other form of it in the table, as a string of characters."""
    simp = TRAD_TO_SIMP.get(ch, ch)
    return "".join(sorted({ch, simp, *SIMP_TO_TRAD.get(simp, ())}))
