// Figure style shared by every chart: sizes, a colour-blind-safe palette and a font stack set on
// the SVG itself (attributes, not CSS), so that an exported file looks as it does in the app.

/** Okabe & Ito (2008), colour-blind-safe; black first for single-series charts is avoided. */
export const okabeIto = {
  blue: '#0072B2',
  orange: '#E69F00',
  skyBlue: '#56B4E9',
  green: '#009E73',
  yellow: '#F0E442',
  vermillion: '#D55E00',
  purple: '#CC79A7',
  black: '#000000',
} as const;

export const palette: readonly string[] = [okabeIto.blue, okabeIto.orange, okabeIto.green, okabeIto.vermillion, okabeIto.purple, okabeIto.skyBlue, okabeIto.yellow];

/** Sans-serif system fonts available on Linux, macOS and Windows. */
export const fontFamily = "'Helvetica Neue', Helvetica, Arial, 'Liberation Sans', 'DejaVu Sans', sans-serif";

export const chartSize = { width: 440, height: 260 } as const;
export const margin = { top: 14, right: 16, bottom: 46, left: 58 } as const;
export const fontSize = { tick: 11, label: 12 } as const;
export const ink = { axis: '#333333', grid: '#e3e3e3', text: '#222222' } as const;

/** Series colours in order (Okabe-Ito without yellow, which is too light on white). */
export const seriesColors: readonly string[] = [okabeIto.blue, okabeIto.vermillion, okabeIto.green, okabeIto.purple, okabeIto.orange, okabeIto.skyBlue, okabeIto.black];
