"""Analytics (分析): what the system's own tables say in aggregate — the portfolio dashboard (风险管理驾驶舱),
process and staff KPIs (绩效考核), stress tests (压力测试), the case library (案例库) and training (培训管理).

Every page is built of ``figures.Figure`` objects: a table of rows with typed columns, drawn as a chart beside
its data, exported to XLSX, each row drilling down to the customers or cases behind it. Who reads what is
``rights``; the filters every dashboard takes (dates, branch, segment) are ``filters``.
"""
