// The charts of the report (index.html), drawn with Apache ECharts from
// window.REPORT_DATA (data.js, written by scripts/report.sh from
// demo/report/data.sql).  No animation: the page is also screenshotted.
'use strict';

(function () {
  const data = window.REPORT_DATA;
  const month = (d) => d.slice(0, 7);
  const quarter = (d) => d.slice(0, 4) + ' Q' + (Math.floor((Number(d.slice(5, 7)) - 1) / 3) + 1);
  const money = (v) => Math.round(v).toLocaleString('en-US');
  const percent = (v) => (v == null ? '-' : (100 * v).toFixed(1) + ' %');

  function chart(id, option) {
    const c = echarts.init(document.getElementById(id), null, { renderer: 'canvas' });
    c.setOption(Object.assign({ animation: false, grid: { left: 70, right: 70, top: 40, bottom: 60 } }, option));
    window.addEventListener('resize', () => c.resize());
    return c;
  }

  // ------------------------------------------------------------ header
  const mrr = data.mrr_monthly;
  const last = mrr[mrr.length - 1];
  const lastNps = data.nps_quarterly[data.nps_quarterly.length - 1];
  document.getElementById('meta').textContent =
    'database ' + data.database + ', generated ' + data.generated_at +
    '; data from the views of schema bi (docs/recipes.md)';
  const kpis = [
    ['MRR, end of ' + month(last.period_start), money(last.mrr_end)],
    ['ARR', money(12 * last.mrr_end)],
    ['Active customers', last.customers_end.toLocaleString('en-US')],
    ['Net revenue retention, ' + month(last.period_start), percent(last.nrr)],
    ['Customer churn, ' + month(last.period_start), percent(last.customer_churn)],
    ['NPS, ' + quarter(lastNps.quarter), lastNps.nps == null ? '-' : lastNps.nps.toFixed(1)],
  ];
  document.getElementById('kpis').innerHTML = kpis
    .map(([label, value]) => '<div class="kpi"><div class="label">' + label + '</div><div class="value">' + value + '</div></div>')
    .join('');

  // ------------------------------------------------------------ MRR movements
  const months = mrr.map((r) => month(r.period_start));
  const movement = (name, key, sign, color) => ({
    name, type: 'bar', stack: 'mrr', color,
    data: mrr.map((r) => sign * r[key]),
  });
  chart('chart-mrr-movements', {
    tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
    legend: { bottom: 0 },
    xAxis: { type: 'category', data: months },
    yAxis: { type: 'value', name: 'MRR' },
    series: [
      movement('New', 'new_mrr', 1, '#2e7d32'),
      movement('Expansion', 'expansion_mrr', 1, '#66bb6a'),
      movement('Reactivation', 'reactivation_mrr', 1, '#26a69a'),
      movement('Contraction', 'contraction_mrr', -1, '#ffa726'),
      movement('Churned', 'churned_mrr', -1, '#e53935'),
      {
        name: 'Net new MRR', type: 'line', color: '#37474f', symbolSize: 4,
        data: mrr.map((r) => r.new_mrr + r.expansion_mrr + r.reactivation_mrr - r.contraction_mrr - r.churned_mrr),
      },
    ],
  });

  // ------------------------------------------------------------ MRR and customers
  chart('chart-mrr-customers', {
    tooltip: { trigger: 'axis' },
    legend: { bottom: 0 },
    xAxis: { type: 'category', data: months },
    yAxis: [{ type: 'value', name: 'MRR' }, { type: 'value', name: 'customers', splitLine: { show: false } }],
    series: [
      { name: 'MRR', type: 'line', areaStyle: { opacity: 0.15 }, color: '#1565c0', data: mrr.map((r) => r.mrr_end) },
      { name: 'Customers', type: 'line', yAxisIndex: 1, color: '#ef6c00', data: mrr.map((r) => r.customers_end) },
    ],
  });

  // ------------------------------------------------------------ cohort heatmap
  const cells = data.cohorts_monthly;
  const cohorts = [...new Set(cells.map((c) => month(c.cohort_start)))];
  const maxAge = Math.max(...cells.map((c) => c.age));
  chart('chart-cohort-heatmap', {
    tooltip: {
      formatter: (p) => 'cohort ' + cohorts[p.value[1]] + ', age ' + p.value[0] + ': ' + percent(p.value[2]),
    },
    grid: { left: 70, right: 30, top: 20, bottom: 95 },
    xAxis: { type: 'category', name: 'age (months)', nameLocation: 'middle', nameGap: 28,
             data: Array.from({ length: maxAge + 1 }, (_, i) => String(i)) },
    yAxis: { type: 'category', data: cohorts, inverse: true },
    visualMap: { min: 0, max: 1, calculable: false, orient: 'horizontal', left: 'center', bottom: 0,
                 itemWidth: 14, itemHeight: 240, text: ['100 %', '0 %'],
                 inRange: { color: ['#f7fbff', '#6baed6', '#08306b'] } },
    series: [{
      name: 'logo retention', type: 'heatmap',
      data: cells.map((c) => [c.age, cohorts.indexOf(month(c.cohort_start)), c.logo_retention]),
    }],
  });

  // ------------------------------------------------------------ retention curves
  const curves = data.retention_by_signup_quarter;
  const quarters = [...new Set(curves.map((r) => r.signup_quarter))];
  chart('chart-retention-curves', {
    tooltip: { trigger: 'axis', valueFormatter: percent },
    legend: { bottom: 0, type: 'scroll' },
    xAxis: { type: 'value', name: 'age (months)', nameLocation: 'middle', nameGap: 28, min: 0 },
    yAxis: { type: 'value', min: 0, max: 1, axisLabel: { formatter: percent } },
    series: quarters.map((q) => ({
      name: quarter(q), type: 'line', showSymbol: false,
      data: curves.filter((r) => r.signup_quarter === q).map((r) => [r.age, r.logo_retention]),
    })),
  });

  // ------------------------------------------------------------ Kaplan-Meier slot
  const km = data.survival_km;
  const kmDiv = document.getElementById('chart-survival-km');
  if (km && km.length) {
    kmDiv.className = 'chart';
    const names = [...new Set(km.map((r) => r.curve))];
    chart('chart-survival-km', {
      tooltip: { trigger: 'axis', valueFormatter: percent },
      legend: { bottom: 0, type: 'scroll' },
      xAxis: { type: 'value', name: 't', min: 0 },
      yAxis: { type: 'value', min: 0, max: 1, axisLabel: { formatter: percent } },
      series: names.map((n) => ({
        name: n, type: 'line', step: 'end', showSymbol: false,
        data: km.filter((r) => r.curve === n).map((r) => [Number(r.t), r.survival]),
      })),
    });
  } else {
    kmDiv.className = 'chart-slot';
    kmDiv.textContent = 'No Kaplan-Meier curves yet: this slot draws the view bi.survival_km ' +
      '(curve, t, survival) once a recipe creates it. Until then, the retention curves ' +
      'by sign-up quarter show how cohorts survive.';
  }

  // ------------------------------------------------------------ NPS
  const nps = data.nps_quarterly;
  const share = (key) => nps.map((q) => (q.responses ? q[key] / q.responses : null));
  chart('chart-nps', {
    tooltip: { trigger: 'axis' },
    legend: { bottom: 0 },
    xAxis: { type: 'category', data: nps.map((q) => quarter(q.quarter)) },
    yAxis: [
      { type: 'value', min: 0, max: 1, axisLabel: { formatter: percent } },
      { type: 'value', name: 'NPS', min: -100, max: 100, splitLine: { show: false } },
    ],
    series: [
      { name: 'Promoters', type: 'bar', stack: 'share', color: '#43a047', data: share('promoters') },
      { name: 'Passives', type: 'bar', stack: 'share', color: '#bdbdbd', data: share('passives') },
      { name: 'Detractors', type: 'bar', stack: 'share', color: '#e53935', data: share('detractors') },
      { name: 'NPS', type: 'line', yAxisIndex: 1, color: '#283593', symbolSize: 6,
        data: nps.map((q) => (q.nps == null ? null : Number(q.nps.toFixed(1)))) },
    ],
  });
})();
