/** The frontend's version; it must equal jupyter_sdc.__version__ (a test checks both). */
export const FRONTEND_VERSION = '0.1.0';
