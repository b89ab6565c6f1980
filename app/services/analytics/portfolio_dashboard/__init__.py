"""The portfolio dashboard (风险管理驾驶舱): the book summed, its history, concentration, warnings, the customers behind a figure and the summary a job keeps."""
