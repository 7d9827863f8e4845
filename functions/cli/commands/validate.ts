import type { Command } from '../command.ts';

export const validateCommand: Command = {
  name: 'validate',
  summary: '(not implemented yet)',
  help: 'privatelink-approver validate: not implemented yet\n',
  async run(_argv, io) {
    io.stderr.write('privatelink-approver validate: not implemented yet\n');
    return 1;
  },
};
