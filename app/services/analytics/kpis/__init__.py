"""Process and staff KPIs (绩效考核): the data read per period, process and people figures, the scorecard, drill-downs and who reads whose."""
