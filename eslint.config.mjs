/**
 * ESLint for the lab extension (type-aware, through labextension/tsconfig.json), its build
 * script and the browser tests. Formatting is Prettier's (.prettierrc.json): `jlpm lint:check`.
 */
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      '**/node_modules/',
      '**/lib/',
      'jupyter_sdc/',
      'labextension/src/generated/',
      'ui-tests/test-results/',
      'ui-tests/playwright-report/',
      '.venv*/'
    ]
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['labextension/src/**/*.ts'],
    languageOptions: {
      parserOptions: { project: 'labextension/tsconfig.json', tsconfigRootDir: import.meta.dirname }
    },
    rules: {
      // A forgotten promise in a UI is an error nobody sees.
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/no-unnecessary-type-assertion': 'error'
    }
  },
  {
    files: ['**/*.ts'],
    rules: {
      '@typescript-eslint/naming-convention': [
        'error',
        { selector: 'interface', format: ['PascalCase'], custom: { regex: '^I[A-Z]', match: true } }
      ],
      '@typescript-eslint/no-unused-vars': ['error', { args: 'none' }],
      curly: ['error', 'all'],
      eqeqeq: 'error',
      'prefer-arrow-callback': 'error'
    }
  },
  {
    // Browser tests reach into JupyterLab's globals through `window as any`.
    files: ['ui-tests/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' }
  },
  {
    files: ['**/*.mjs'],
    languageOptions: { globals: { console: 'readonly', process: 'readonly' } }
  },
  prettier
);
