// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/**', 'dist/**', 'coverage/**', 'functions/policy/generated/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    rules: {
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'off',
    },
  },
  {
    // The pure engine and the policy model import nothing that does I/O.
    files: ['functions/engine/**/*.ts', 'functions/core/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          { group: ['node:*', 'fs', 'http', 'https', 'net', 'child_process', 'os', 'process'], message: 'The engine is pure: no I/O imports.' },
          { group: ['@alicloud/*'], message: 'Only functions/client imports the SDK.' },
          { group: ['**/client/*', '**/sweep/*', '**/cli/*', '**/emulator/*'], message: 'Arrows point inward: the engine imports no shell code.' },
        ],
      }],
      'no-restricted-globals': ['error', { name: 'process', message: 'The engine reads no environment.' }],
    },
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly' } },
  },
);
