/* skpdgen: the editor starts after its Indonesian strings and checks are registered. */
window.CMS_MANUAL_INIT = true;
