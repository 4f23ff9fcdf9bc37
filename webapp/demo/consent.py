"""The demo county's 告知同意 notice: a first version, since retired, and the one in force."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from webapp.models import User
from webapp.models.consent import ConsentNotice
from webapp.services import consent
from webapp.services.cases.deadlines import local_date

FIRST = """您向县民政局及所在镇（街道）社会救助窗口申请救急难救助时，我们需要收集您和共同生活家庭成员的姓名、身份证号码、联系电话、住址、家庭经济状况和困难证明材料。

这些信息只用于核实困难情况、审批和发放救助、链接慈善和志愿服务资源。对外公开的求助信息经过匿名处理，不含姓名、身份证号、电话和住址。

您可以向受理窗口查阅、复制、更正您的个人信息。"""

CURRENT = """一、处理者：高唐县民政局及您所在镇（街道）社会救助窗口。

二、收集的信息：您和共同生活家庭成员的姓名、身份证号码、联系电话、住址、户籍、家庭人口和经济状况、疾病或事故等困难证明材料。

三、用途：核实困难情况，审批和发放临时救助、医疗救助等，向教育、人社、医保等部门转办，为您链接慈善组织、公益基金和志愿者的帮助。对外公开的求助信息经过匿名处理，不含姓名、身份证号、电话和住址；慈善组织和捐助人看不到您的个人信息。

四、保存期限：个案办结后，身份信息保存 10 年、联系方式保存 3 年、证明材料保存 10 年（按救助档案保管期限），期满后删除，只保留不能识别个人的统计数字。

五、您的权利：您可以向受理窗口或县民政局查阅、复制、更正您的个人信息，或咨询个人信息处理的有关问题；对处理有意见的，可以拨打监督电话投诉。

六、不同意的后果：不提供上述信息，我们无法核实和审批救助，但窗口仍会告知您其他求助途径。"""


def ensure_notices(session: Session) -> ConsentNotice:
    """Publish the two demo versions once (the current one effective well before the oldest
    demo case), returning the one in force."""
    today = local_date(dt.datetime.now(dt.UTC))
    if consent.notice_by_version(session, 1) is None:
        admin = session.scalars(select(User).where(User.username == "admin")).one()
        first_day, current_day = today - dt.timedelta(days=730), today - dt.timedelta(days=365)
        consent.publish_notice(session, admin, body=FIRST, effective_on=first_day,
                               today=first_day, title="个人信息告知书")
        consent.publish_notice(session, admin, body=CURRENT, effective_on=current_day,
                               today=current_day)
    notice = consent.notice_in_force(session, today)
    if notice is None:
        raise RuntimeError("the demo notices were not published")
    return notice
