import type { Command } from '../command.ts';

export const applyCommand: Command = {
  name: 'apply',
  summary: '(not implemented yet)',
  help: 'privatelink-approver apply: not implemented yet\n',
  async run(_argv, io) {
    io.stderr.write('privatelink-approver apply: not implemented yet\n');
    return 1;
  },
};
